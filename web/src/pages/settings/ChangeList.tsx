import type { Change } from "../../settings-save.ts";

/** The confirmation's table: each change, before and after, the risky ones marked with why. */
export function ChangeList({ changes }: { changes: Change[] }) {
  return (
    <>
      <p>These changes are saved together; the reason is kept in the audit trail.</p>
      <table className="diff">
        <thead>
          <tr>
            <th scope="col">Setting</th>
            <th scope="col">Now</th>
            <th scope="col">After saving</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((change) => (
            <tr key={change.label} className={change.risky ? "risky" : undefined}>
              <th scope="row">{change.label}</th>
              <td>{change.before}</td>
              <td>
                {change.after}
                {change.risky ? <span className="risky"> ({change.risky})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
