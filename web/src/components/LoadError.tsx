import type { CombinedError } from "urql";
import { errorText } from "../hooks.ts";

/** "Could not load <what>: <reason>", announced to screen readers; nothing when there is no error. */
export function LoadError({ what, error }: { what: string; error: CombinedError | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      Could not load {what}: {errorText(error)}
    </p>
  );
}
