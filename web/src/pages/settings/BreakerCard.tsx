import { useState } from "react";
import { useMutation } from "urql";
import { TextDialog } from "../../components/Dialog.tsx";
import { Time } from "../../components/Time.tsx";
import { errorText } from "../../hooks.ts";
import { CLEAR_COOLDOWN, type EngineState, RESET_BREAKER } from "../../queries.ts";
import { READ_ONLY, useSession } from "../../session.tsx";

/** The global circuit breaker and the cooldown: their state, and resetting or ending them with a reason. */
export function BreakerCard(props: { state: EngineState; onReset(): void }) {
  const { canChange } = useSession();
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string>();
  const [, reset] = useMutation(RESET_BREAKER);
  const [, clearCooldown] = useMutation(CLEAR_COOLDOWN);
  const [clearing, setClearing] = useState(false);
  const { state } = props;
  const cooling = state.cooldownUntil !== null && new Date(state.cooldownUntil).getTime() > Date.now();
  return (
    <section
      className="card breaker"
      aria-labelledby="breaker-title"
      data-breaker={state.breakerOpen ? "open" : "closed"}
    >
      <h2 id="breaker-title">Circuit breaker</h2>
      <p className={`breaker-state ${state.breakerOpen ? "open" : "closed"}`}>
        {state.breakerOpen ? "Open: auto-execution is paused" : "Closed: executions may run"}
      </p>
      <dl className="facts">
        {state.breakerOpen ? (
          <>
            <dt>Opened</dt>
            <dd>
              <Time value={state.breakerOpenedAt} />
            </dd>
            <dt>Reason</dt>
            <dd>{state.breakerReason ?? "—"}</dd>
          </>
        ) : null}
        <dt>Failures in a row</dt>
        <dd>{state.consecutiveFailures}</dd>
        <dt>Cooldown</dt>
        <dd>
          {cooling ? (
            <>
              until <Time value={state.cooldownUntil} />
            </>
          ) : (
            "none"
          )}
        </dd>
        <dt>Last reset</dt>
        <dd>
          {state.breakerResetAt
            ? [
                <Time key="at" value={state.breakerResetAt} />,
                ` by ${state.breakerResetBy}: ${state.breakerResetReason ?? ""}`,
              ]
            : "never"}
        </dd>
      </dl>
      <p role="status" className="notice">
        {notice}
      </p>
      <button
        type="button"
        className="danger"
        disabled={!canChange || !state.breakerOpen}
        title={canChange ? (state.breakerOpen ? undefined : "The breaker is closed") : READ_ONLY}
        onClick={() => setConfirming(true)}
      >
        Reset circuit breaker
      </button>{" "}
      <button
        type="button"
        className="secondary"
        disabled={!canChange || !cooling}
        title={canChange ? (cooling ? undefined : "No cooldown is running") : READ_ONLY}
        onClick={() => setClearing(true)}
      >
        End cooldown now
      </button>
      {clearing ? (
        <TextDialog
          title="End the cooldown now?"
          description={<p>Waiting actions resume at once. The reason goes into the audit trail.</p>}
          label="Reason"
          required
          confirmLabel="End cooldown"
          onClose={() => setClearing(false)}
          onSubmit={async (reason) => {
            const result = await clearCooldown({ reason });
            if (result.error) return errorText(result.error);
            setNotice("Cooldown ended.");
            props.onReset();
            return undefined;
          }}
        />
      ) : null}
      {confirming ? (
        <TextDialog
          title="Reset the circuit breaker?"
          description={
            <p>
              Auto-execution resumes at once and waiting actions are re-queued. Reset only once the cause of
              the failures is understood.
            </p>
          }
          label="Reason"
          required
          confirmLabel="Reset breaker"
          danger
          onClose={() => setConfirming(false)}
          onSubmit={async (reason) => {
            const result = await reset({ reason });
            if (result.error) return errorText(result.error);
            setNotice("Circuit breaker reset.");
            props.onReset();
            return undefined;
          }}
        />
      ) : null}
    </section>
  );
}
