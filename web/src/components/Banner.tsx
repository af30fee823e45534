import { formatTime } from "../format.ts";
import { nodesOf } from "../graphql.ts";
import { usePolledQuery } from "../hooks.ts";
import { ENGINE_STATUS } from "../queries.ts";
import { Link } from "../router.tsx";

/** On every page: why the engine is not executing (breaker, cooldown, switched off, dry run). */
export function EngineBanner() {
  const [{ data }, _refresh] = usePolledQuery({ query: ENGINE_STATUS }, 3000);
  if (!data?.currentSettings || !data.circuitBreaker) return null;
  const { enabled, dryRun } = data.currentSettings;
  const breaker = data.circuitBreaker;
  const cooling = breaker.cooldownUntil !== null && new Date(breaker.cooldownUntil).getTime() > Date.now();
  const notices: { kind: "critical" | "warning" | "info"; id: string; text: string }[] = [];
  if (breaker.breakerOpen) {
    notices.push({
      kind: "critical",
      id: "breaker",
      text: `Circuit breaker open since ${formatTime(breaker.breakerOpenedAt)}: ${breaker.breakerReason ?? "no reason recorded"}. Auto-execution is paused until an admin resets it.`,
    });
  }
  if (cooling) {
    notices.push({
      kind: "warning",
      id: "cooldown",
      // The streak is reset to 0 when a cooldown starts: the setting says how many failures started it.
      text: `Cooling down after ${data.currentSettings.failuresBeforeCooldown} failures in a row, until ${formatTime(breaker.cooldownUntil)}.`,
    });
  }
  const now = Date.now();
  const freeze = nodesOf(data.openFreezeWindows).find(
    (row) => new Date(row.startsAt).getTime() <= now && new Date(row.endsAt).getTime() > now,
  );
  if (freeze) {
    notices.push({
      kind: "warning",
      id: "freeze",
      text: `Freeze window until ${formatTime(freeze.endsAt)} (${freeze.reason}): nothing executes automatically; approved actions run after it.`,
    });
  }
  if (!enabled) {
    notices.push({
      kind: "warning",
      id: "off",
      text: "Auto-execution is switched off: nothing is executed, approved actions wait.",
    });
  }
  if (dryRun) {
    notices.push({
      kind: "info",
      id: "dry-run",
      text: "Dry run: executions run and are rolled back; the log shows what would have happened.",
    });
  }
  if (!notices.length) return null;
  return (
    <section className="banners" aria-label="Engine status">
      {notices.map((notice) => (
        <p key={notice.id} className={`banner banner-${notice.kind}`} data-banner={notice.id}>
          <strong>
            {notice.kind === "critical" ? "Paused. " : notice.kind === "warning" ? "Note. " : ""}
          </strong>
          {notice.text} <Link to="/admin/settings">Settings</Link>
        </p>
      ))}
    </section>
  );
}
