import { useId } from "react";

const SWITCHES = [
  { key: "enabled", label: "Auto-execution enabled", help: "The global switch: off, nothing is executed." },
  {
    key: "dryRun",
    label: "Dry run",
    help: "Run handlers and roll their changes back; the log shows what would have happened.",
  },
] as const;

export type SwitchValues = Record<(typeof SWITCHES)[number]["key"], boolean>;

/** The engine's two switches, as checkboxes. */
export function Switches(props: {
  values: SwitchValues;
  disabled: boolean;
  onChange(values: SwitchValues): void;
}) {
  const baseId = useId();
  return (
    <fieldset className="switches">
      <legend>Switches</legend>
      {SWITCHES.map(({ key, label, help }) => (
        <div className="check" key={key}>
          <input
            id={`${baseId}-${key}`}
            type="checkbox"
            checked={props.values[key]}
            onChange={(event) => props.onChange({ ...props.values, [key]: event.target.checked })}
            disabled={props.disabled}
            aria-describedby={`${baseId}-${key}-help`}
          />
          <label htmlFor={`${baseId}-${key}`}>{label}</label>
          <span id={`${baseId}-${key}-help`} className="help">
            {help}
          </span>
        </div>
      ))}
    </fieldset>
  );
}
