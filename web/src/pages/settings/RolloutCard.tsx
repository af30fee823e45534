import { useEffect, useId, useState } from "react";
import { READ_ONLY, useSession } from "../../session.tsx";
import { PHASES } from "../../settings-save.ts";

/** PRD-18's rollout plan: the phase the settings are in, and filling in another (saved like any change). */
export function RolloutCard(props: { current: number | null; onApply(phase: number): void }) {
  const { canChange } = useSession();
  const [phase, setPhase] = useState(String(props.current ?? 1));
  const id = useId();
  useEffect(() => {
    if (props.current !== null) setPhase(String(props.current));
  }, [props.current]);
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-phase={props.current ?? "none"}>
      <h2 id={`${id}-title`}>Rollout plan</h2>
      <p className="phase-actual">
        {props.current === null
          ? "Now: no phase of the plan — the switches and types were set by hand."
          : `Now: ${PHASES[String(props.current)]}`}
      </p>
      <div className="field">
        <label htmlFor={id}>Phase</label>
        <select
          id={id}
          value={phase}
          onChange={(event) => setPhase(event.target.value)}
          disabled={!canChange}
        >
          <option value="1">1 – Dry run</option>
          <option value="2">2 – Limited auto-execution</option>
          <option value="3">3 – Expanded auto-execution</option>
        </select>
        <span className="help">{PHASES[phase]}</span>
      </div>
      <button
        type="button"
        className="secondary"
        disabled={!canChange || Number(phase) === props.current}
        title={canChange ? undefined : READ_ONLY}
        onClick={() => props.onApply(Number(phase))}
      >
        Fill in phase {phase}
      </button>
      <p className="help">Fills the switches and the action types below; nothing changes until you save.</p>
    </section>
  );
}
