import { useState } from "react";
import { useMutation } from "urql";
import { errorText } from "../hooks.ts";
import { RESET_TYPE_BREAKER, type TypeBreaker } from "../queries.ts";
import { READ_ONLY, useSession } from "../session.tsx";
import { TextDialog } from "./Dialog.tsx";
import { Time } from "./Time.tsx";

/**
 * Each action type's own breaker: a type whose executions fail is paused alone. Lists the open ones
 * (reason, since when) and the half-open ones (probes left), and resets one with a reason (audited);
 * after a reset the type's next executions run as probes, one at a time.
 */
export function TypeBreakers(props: { rows: TypeBreaker[]; onReset(): void }) {
  const { canChange } = useSession();
  const [resetting, setResetting] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [, reset] = useMutation(RESET_TYPE_BREAKER);
  const shown = props.rows.filter((row) => row.breakerOpen || row.probesLeft > 0);
  return (
    <section className="card type-breakers" aria-labelledby="type-breakers-title">
      <h2 id="type-breakers-title">Per-type breakers</h2>
      {shown.length ? (
        <ul>
          {shown.map((row) => (
            <li
              key={row.type}
              data-type-breaker={row.type}
              data-state={row.breakerOpen ? "open" : "half-open"}
            >
              <strong>{row.type}</strong>{" "}
              {row.breakerOpen ? (
                <>
                  <span className="breaker-state open">open</span> since <Time value={row.breakerOpenedAt} />:{" "}
                  {row.breakerReason ?? "—"}{" "}
                  <button
                    type="button"
                    className="danger"
                    disabled={!canChange}
                    title={canChange ? undefined : READ_ONLY}
                    onClick={() => setResetting(row.type)}
                  >
                    Reset {row.type} breaker
                  </button>
                </>
              ) : (
                <>
                  half-open: the next {row.probesLeft}{" "}
                  {row.probesLeft === 1 ? "execution runs" : "executions run"} as probes, one at a time (reset
                  by {row.breakerResetBy ?? "—"} <Time value={row.breakerResetAt} />
                  {row.breakerResetReason ? `: ${row.breakerResetReason}` : ""})
                </>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p>No action type is paused by its own breaker.</p>
      )}
      <p role="status" className="notice">
        {notice}
      </p>
      {resetting ? (
        <TextDialog
          title={`Reset the ${resetting} breaker?`}
          description={
            <p>
              Its next executions run as probes, one at a time; a failing probe opens the breaker again. The
              reason goes into the audit trail.
            </p>
          }
          label="Reason"
          required
          confirmLabel="Reset breaker"
          danger
          onClose={() => setResetting(undefined)}
          onSubmit={async (reason) => {
            const result = await reset({ reason, type: resetting });
            if (result.error) return errorText(result.error);
            setNotice(`${resetting} breaker reset.`);
            props.onReset();
            return undefined;
          }}
        />
      ) : null}
    </section>
  );
}
