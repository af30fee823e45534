import { useEffect, useRef, useState } from "react";
import { useMutation } from "urql";
import { TextDialog } from "../../components/Dialog.tsx";
import { Time } from "../../components/Time.tsx";
import { TypeBreakers } from "../../components/TypeBreakers.tsx";
import { errorText } from "../../hooks.ts";
import type { ActionTypeRow, EngineState, SettingLimit, Settings, TypeBreaker } from "../../queries.ts";
import { setNavigationGuard } from "../../router.tsx";
import { READ_ONLY, useSession } from "../../session.tsx";
import {
  actualPhase,
  type Change,
  describeChanges,
  type FormValues,
  phaseTarget,
  SAVE_SETTINGS,
  type TypeValues,
  toTypeValues,
} from "../../settings-save.ts";
import { ActionTypes } from "./ActionTypes.tsx";
import { BreakerCard } from "./BreakerCard.tsx";
import { ChangeList } from "./ChangeList.tsx";
import { FieldGroup } from "./FieldGroup.tsx";
import { capError, FIELD_LABELS, fieldErrors, GROUPS, inPageWords, settingsChanges, toForm } from "./form.ts";
import { RolloutCard } from "./RolloutCard.tsx";
import { Switches } from "./Switches.tsx";

/** Asks before leaving with unsaved edits: a reload or closing the tab, and a link inside the app. */
function useLeaveGuard(dirty: boolean) {
  useEffect(() => {
    if (!dirty) return;
    const beforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", beforeUnload);
    const release = setNavigationGuard(() =>
      window.confirm("The settings have unsaved changes. Leave without saving?"),
    );
    return () => {
      window.removeEventListener("beforeunload", beforeUnload);
      release();
    };
  }, [dirty]);
}

/**
 * The whole page is one form: engine settings, rollout phase and action types, saved by one button in
 * one transaction (save_settings). Going live, leaving dry run, a type going live or a limit raised more
 * than tenfold is confirmed first, with the diff and a reason that the audit trail keeps.
 */
export function SettingsForm(props: {
  settings: Settings;
  types: ActionTypeRow[];
  limits: SettingLimit[];
  breaker: EngineState;
  typeBreakers: TypeBreaker[];
  onSaved(): void;
}) {
  const { canChange } = useSession();
  const [initial, setInitial] = useState(() => toForm(props.settings));
  const [form, setForm] = useState(initial);
  const [initialTypes, setInitialTypes] = useState(() => toTypeValues(props.types));
  const [types, setTypes] = useState(initialTypes);
  const [showErrors, setShowErrors] = useState(false);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [confirming, setConfirming] = useState<Change[]>();
  const [, saveSettings] = useMutation(SAVE_SETTINGS);
  const dirty =
    JSON.stringify(form) !== JSON.stringify(initial) ||
    JSON.stringify(types) !== JSON.stringify(initialTypes);

  // Someone else (or another tab) changed the settings: follow, keeping this form's unsaved edits.
  const serverKey = JSON.stringify([toForm(props.settings), toTypeValues(props.types)]);
  const latest = useRef({ initial, initialTypes, dirty });
  latest.current = { initial, initialTypes, dirty };
  useEffect(() => {
    const [next, nextTypes] = JSON.parse(serverKey) as [FormValues, TypeValues];
    if (JSON.stringify([latest.current.initial, latest.current.initialTypes]) === serverKey) return;
    if (!latest.current.dirty) {
      setForm(next);
      setTypes(nextTypes);
    }
    setInitial(next);
    setInitialTypes(nextTypes);
  }, [serverKey]);
  useLeaveGuard(dirty);

  const errors = fieldErrors(form, props.limits);
  const typeErrors = Object.fromEntries(
    Object.entries(types).map(([type, value]) => [type, capError(value.cap)]),
  );
  const invalid = Object.values(errors).some(Boolean) || Object.values(typeErrors).some(Boolean);
  const changes = () => describeChanges({ form, initial, labels: FIELD_LABELS }, { types, initialTypes });

  const submit = async (reason: string | null): Promise<string | undefined> => {
    const typeChanges = Object.entries(types)
      .filter(([type, value]) => JSON.stringify(value) !== JSON.stringify(initialTypes[type]))
      .map(([type, value]) => ({
        type,
        mode: value.mode,
        dailyCap: value.cap.trim() === "" ? null : Number(value.cap),
      }));
    const result = await saveSettings({
      changes: settingsChanges(form, initial),
      types: typeChanges,
      reason,
    });
    if (result.error) return inPageWords(errorText(result.error));
    const count = changes().length;
    setError(undefined);
    setShowErrors(false);
    setNotice(`Saved ${count} change${count === 1 ? "" : "s"}.`);
    const saved = result.data?.saveSettings?.result;
    if (saved) {
      const next = toForm(saved);
      setInitial(next);
      setForm(next);
    }
    setInitialTypes(types);
    props.onSaved();
    return undefined;
  };
  const saveAll = async () => {
    if (invalid) {
      setShowErrors(true);
      setError("Some values cannot be saved: see the fields marked below.");
      (document.querySelector(`[aria-invalid="true"]`) as HTMLElement | null)?.focus();
      return;
    }
    const list = changes();
    if (!list.length) return;
    if (list.some((change) => change.risky)) {
      setConfirming(list);
      return;
    }
    const failure = await submit(null);
    if (failure) setError(failure);
  };

  const current = actualPhase(initial, initialTypes, props.types);
  const applyPhase = (phase: number) => {
    setForm({ ...form, enabled: true, dryRun: phase === 1 });
    setTypes({ ...types, ...phaseTarget(phase, props.types) });
    setNotice(`Phase ${phase} filled in below: review the changes, then save.`);
  };
  return (
    // Not a <form>: the breaker's and the confirmation's dialogs inside have forms of their own.
    <div className="settings-form">
      <div className="settings-grid">
        <section className="card" aria-labelledby="engine-title">
          <h2 id="engine-title">Engine</h2>
          <Switches
            values={form}
            disabled={!canChange}
            onChange={(switches) => setForm({ ...form, ...switches })}
          />
          {GROUPS.map((group) => (
            <FieldGroup
              key={group.legend}
              legend={group.legend}
              fields={group.fields}
              values={form.fields}
              initial={initial.fields}
              errors={errors}
              showErrors={showErrors}
              disabled={!canChange}
              onChange={(key, value) => setForm({ ...form, fields: { ...form.fields, [key]: value } })}
            />
          ))}
          <p className="muted">
            Last changed <Time value={props.settings.updatedAt} />.
          </p>
        </section>
        <div className="side">
          <BreakerCard state={props.breaker} onReset={props.onSaved} />
          <TypeBreakers rows={props.typeBreakers} onReset={props.onSaved} />
          <RolloutCard current={current} onApply={applyPhase} />
        </div>
      </div>
      <ActionTypes rows={props.types} values={types} errors={typeErrors} onChange={setTypes} />
      <div className="card save-bar">
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
        <p role="status" className="notice">
          {notice}
        </p>
        {dirty ? <p className="unsaved">Unsaved changes: {changes().length}.</p> : null}
        <div className="form-buttons">
          <button
            type="button"
            className="secondary"
            disabled={!dirty}
            onClick={() => {
              setForm(initial);
              setTypes(initialTypes);
              setError(undefined);
              setShowErrors(false);
            }}
          >
            Discard changes
          </button>
          <button
            type="button"
            className="primary"
            disabled={!canChange || !dirty}
            title={canChange ? undefined : READ_ONLY}
            onClick={() => void saveAll()}
          >
            Save changes
          </button>
        </div>
      </div>
      {confirming ? (
        <TextDialog
          title="Confirm these changes"
          description={<ChangeList changes={confirming} />}
          label="Reason"
          required
          confirmLabel="Save changes"
          danger
          onClose={() => setConfirming(undefined)}
          onSubmit={(reason) => submit(reason)}
        />
      ) : null}
    </div>
  );
}
