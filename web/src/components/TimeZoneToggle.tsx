import { localZoneName, type TimeZoneChoice } from "../format.ts";

/** Switches every time on every page between UTC and the browser's zone. */
export function TimeZoneToggle(props: { zone: TimeZoneChoice; onChange(zone: TimeZoneChoice): void }) {
  const next = props.zone === "UTC" ? "local" : "UTC";
  return (
    <button
      type="button"
      className="secondary small"
      data-time-zone={props.zone}
      aria-label={`Times are shown in ${props.zone === "UTC" ? "UTC" : `local time (${localZoneName})`}; switch to ${next === "UTC" ? "UTC" : "local time"}`}
      onClick={() => props.onChange(next)}
    >
      Times: {props.zone === "UTC" ? "UTC" : `local (${localZoneName})`}
    </button>
  );
}
