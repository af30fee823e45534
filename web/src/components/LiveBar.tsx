import { formatExactTime, formatTime } from "../format.ts";

/**
 * Live updates that never move the rows under the cursor: new proposals are only counted ("12 new —
 * show"), the time of the last answer is shown, and the admin can pause the updates.
 */
export function LiveBar(props: {
  newer: number;
  newerCapped: boolean;
  updatedAt: Date | undefined;
  paused: boolean;
  onShowNew(): void;
  onTogglePause(): void;
}) {
  const count = props.newerCapped
    ? `More than ${props.newer.toLocaleString("en")}`
    : props.newer.toLocaleString("en");
  return (
    <div className="live-bar" data-live={props.paused ? "paused" : "on"}>
      {props.newer > 0 ? (
        <button type="button" className="primary small new-actions" onClick={props.onShowNew}>
          {count} new — show
        </button>
      ) : null}
      <span className="muted" aria-live="off">
        {props.paused ? "Live updates paused. " : ""}
        Last updated{" "}
        {props.updatedAt ? (
          <time dateTime={props.updatedAt.toISOString()} title={formatExactTime(props.updatedAt)}>
            {formatTime(props.updatedAt)}
          </time>
        ) : (
          "—"
        )}
      </span>
      <button
        type="button"
        className="secondary small"
        aria-pressed={props.paused}
        onClick={props.onTogglePause}
      >
        {props.paused ? "Resume live updates" : "Pause live updates"}
      </button>
    </div>
  );
}
