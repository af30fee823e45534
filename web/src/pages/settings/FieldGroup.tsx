import { useId } from "react";
import type { Field } from "./form.ts";

/**
 * One group of the form (thresholds, rate limits, safety, lifecycle): a text field per setting
 * descriptor, with its help and, once edited or after a failed save, what is wrong with it.
 */
export function FieldGroup(props: {
  legend: string;
  fields: Field[];
  values: Record<string, string>;
  initial: Record<string, string>;
  errors: Record<string, string | undefined>;
  showErrors: boolean;
  disabled: boolean;
  onChange(key: string, value: string): void;
}) {
  const baseId = useId();
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <div className="fields">
        {props.fields.map((field) => {
          const id = `${baseId}-${field.key}`;
          const helpId = `${id}-help`;
          const errorId = `${id}-error`;
          const edited = props.values[field.key] !== props.initial[field.key];
          const problem = props.showErrors || edited ? props.errors[field.key] : undefined;
          return (
            <div className="field" key={field.key}>
              <label htmlFor={id}>{field.label}</label>
              <input
                id={id}
                name={field.key}
                type={field.kind === "text" ? "url" : "text"}
                inputMode={field.kind === "int" ? "numeric" : field.kind === "text" ? "url" : "decimal"}
                value={props.values[field.key] ?? ""}
                onChange={(event) => props.onChange(field.key, event.target.value)}
                disabled={props.disabled}
                aria-invalid={problem ? true : undefined}
                aria-describedby={
                  [field.help ? helpId : "", problem ? errorId : ""].filter(Boolean).join(" ") || undefined
                }
              />
              {problem ? (
                <span id={errorId} className="field-error">
                  {problem}
                </span>
              ) : null}
              {field.help ? (
                <span id={helpId} className="help">
                  {field.help}
                </span>
              ) : null}
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}
