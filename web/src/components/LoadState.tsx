import type { ReactNode } from "react";
import type { CombinedError } from "urql";
import { errorText } from "../hooks.ts";

/**
 * Loading, error and empty as three different states: "Loading…" until the first answer, the
 * server's reason with a Retry button on an error (the last data, if any, stays visible below it),
 * and the empty text only once an answer said there is nothing.
 */
export function LoadState(props: {
  what: string;
  loaded: boolean;
  error: CombinedError | undefined;
  empty: boolean;
  emptyText: ReactNode;
  retry(): void;
}) {
  if (props.error) {
    return (
      <div className="load-error" role="alert" data-state="error">
        <p className="error">
          Could not load {props.what}: {errorText(props.error)}
        </p>
        <button type="button" className="secondary small" onClick={props.retry}>
          Retry
        </button>
      </div>
    );
  }
  if (!props.loaded) {
    return (
      <p className="loading" role="status" data-state="loading">
        Loading {props.what}…
      </p>
    );
  }
  if (props.empty) {
    return (
      <p className="empty" data-state="empty">
        {props.emptyText}
      </p>
    );
  }
  return null;
}
