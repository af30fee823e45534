import { type FormEvent, useId, useState } from "react";
import { useMutation } from "urql";
import { formatTime } from "../format.ts";
import { nodesOf } from "../graphql.ts";
import { errorText, usePolledQuery } from "../hooks.ts";
import { ADD_FREEZE, CANCEL_FREEZE, FREEZE_WINDOWS, type FreezeWindow } from "../queries.ts";
import { READ_ONLY, useSession } from "../session.tsx";
import { TextDialog } from "./Dialog.tsx";

/**
 * The change calendar: windows when automatic execution waits (a sale week, a site migration). Approvals
 * made during one run after it; a forced execution still runs. Adding and cancelling are audited.
 */
export function FreezeWindows(props: { onChanged(): void }) {
  const { canChange } = useSession();
  const [{ data }, refresh] = usePolledQuery({ query: FREEZE_WINDOWS }, 5000);
  const [, add] = useMutation(ADD_FREEZE);
  const [, cancel] = useMutation(CANCEL_FREEZE);
  const [form, setForm] = useState({ startsAt: "", endsAt: "", reason: "" });
  const [error, setError] = useState<string>();
  const [cancelling, setCancelling] = useState<FreezeWindow>();
  const ids = { starts: useId(), ends: useId(), reason: useId() };
  const open = nodesOf(data?.openFreezeWindows);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form.startsAt || !form.endsAt || !form.reason.trim()) {
      setError("Start, end and reason are required.");
      return;
    }
    // datetime-local is in the browser's zone; the API takes an absolute time.
    const result = await add({
      startsAt: new Date(form.startsAt).toISOString(),
      endsAt: new Date(form.endsAt).toISOString(),
      reason: form.reason.trim(),
    });
    if (result.error) {
      setError(errorText(result.error));
      return;
    }
    setError(undefined);
    setForm({ startsAt: "", endsAt: "", reason: "" });
    refresh();
    props.onChanged();
  };
  return (
    <section className="card freeze-windows" aria-labelledby="freeze-title">
      <h2 id="freeze-title">Freeze windows</h2>
      <p className="muted">
        While a window is in force nothing executes automatically, and approved actions wait for its end; a
        forced execution still runs.
      </p>
      {open.length ? (
        <ul data-testid="freeze-list">
          {open.map((row) => (
            <li key={row.id}>
              {formatTime(row.startsAt)} – {formatTime(row.endsAt)}: {row.reason}{" "}
              <span className="muted">({row.createdBy})</span>{" "}
              <button
                type="button"
                className="secondary"
                disabled={!canChange}
                title={canChange ? undefined : READ_ONLY}
                onClick={() => setCancelling(row)}
              >
                End now
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p>No freeze window planned.</p>
      )}
      <form onSubmit={submit} aria-label="Add a freeze window">
        <label htmlFor={ids.starts}>Starts (your time zone)</label>
        <input
          id={ids.starts}
          type="datetime-local"
          value={form.startsAt}
          onChange={(event) => setForm({ ...form, startsAt: event.target.value })}
        />
        <label htmlFor={ids.ends}>Ends (your time zone)</label>
        <input
          id={ids.ends}
          type="datetime-local"
          value={form.endsAt}
          onChange={(event) => setForm({ ...form, endsAt: event.target.value })}
        />
        <label htmlFor={ids.reason}>Reason</label>
        <input
          id={ids.reason}
          type="text"
          value={form.reason}
          placeholder="e.g. site migration"
          onChange={(event) => setForm({ ...form, reason: event.target.value })}
        />
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <button
          type="submit"
          className="primary"
          disabled={!canChange}
          title={canChange ? undefined : READ_ONLY}
        >
          Add freeze window
        </button>
      </form>
      {cancelling ? (
        <TextDialog
          title="End this freeze window now?"
          description={<p>Automatic execution and the approvals waiting for its end resume at once.</p>}
          label="Reason"
          required
          confirmLabel="End window"
          onClose={() => setCancelling(undefined)}
          onSubmit={async (reason) => {
            const result = await cancel({ id: cancelling.id, reason });
            if (result.error) return errorText(result.error);
            refresh();
            props.onChanged();
            return undefined;
          }}
        />
      ) : null}
    </section>
  );
}
