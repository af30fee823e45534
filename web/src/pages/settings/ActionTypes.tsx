import { useId } from "react";
import { TierBadge } from "../../components/Badges.tsx";
import type { ActionTypeRow } from "../../queries.ts";
import { useSession } from "../../session.tsx";
import type { TypeValues } from "../../settings-save.ts";
import { isManualTier } from "../../vocabulary.ts";

/** Each action type's mode and daily cap, edited here and saved with the rest of the page. */
export function ActionTypes(props: {
  rows: ActionTypeRow[];
  values: TypeValues;
  errors: Record<string, string | undefined>;
  onChange(values: TypeValues): void;
}) {
  const { canChange } = useSession();
  const id = useId();
  return (
    <section className="card" aria-labelledby="types-title">
      <h2 id="types-title">Action types</h2>
      <p className="muted">
        Staged rollout per type: <strong>disabled</strong> never runs, <strong>dry run</strong> runs and rolls
        back, <strong>live</strong> runs for real (the global switches apply on top). The daily cap limits
        live executions per rolling 24 hours; empty means no cap. Tier 3 types are always disabled. Saved with
        the rest of the page.
      </p>
      <div className="table-wrap">
        <table className="responsive types">
          <caption className="visually-hidden">Action types with their mode and daily cap</caption>
          <thead>
            <tr>
              <th scope="col">Type</th>
              <th scope="col">Tier</th>
              <th scope="col">Mode</th>
              <th scope="col">Daily cap</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((row) => {
              const value = props.values[row.type] ?? { mode: row.mode, cap: "" };
              const fixed = isManualTier(row.tier);
              const problem = props.errors[row.type];
              const change = (next: Partial<typeof value>) =>
                props.onChange({ ...props.values, [row.type]: { ...value, ...next } });
              return (
                <tr key={row.type} data-type={row.type}>
                  <td data-label="Type">
                    <span className="type">{row.type}</span>
                    <div className="muted">{row.description}</div>
                  </td>
                  <td data-label="Tier">
                    <TierBadge tier={row.tier} />
                  </td>
                  <td data-label="Mode">
                    <label htmlFor={`${id}-${row.type}-mode`} className="visually-hidden">
                      Mode of {row.type}
                    </label>
                    <select
                      id={`${id}-${row.type}-mode`}
                      value={value.mode}
                      onChange={(event) => change({ mode: event.target.value })}
                      disabled={!canChange || fixed}
                    >
                      <option value="disabled">disabled</option>
                      <option value="dry_run">dry run</option>
                      <option value="live">live</option>
                    </select>
                  </td>
                  <td data-label="Daily cap">
                    <label htmlFor={`${id}-${row.type}-cap`} className="visually-hidden">
                      Daily cap of {row.type}
                    </label>
                    <input
                      id={`${id}-${row.type}-cap`}
                      type="text"
                      inputMode="numeric"
                      placeholder="no cap"
                      value={value.cap}
                      onChange={(event) => change({ cap: event.target.value })}
                      disabled={!canChange || fixed}
                      aria-invalid={problem ? true : undefined}
                      aria-describedby={problem ? `${id}-${row.type}-cap-error` : undefined}
                    />
                    {problem ? (
                      <span id={`${id}-${row.type}-cap-error`} className="field-error">
                        {problem}
                      </span>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
