// Formatting for people: times, ages, money, rates, durations, intervals.

/** Which zone times are shown in: UTC (the server's status reasons say UTC) or the browser's own. */
export type TimeZoneChoice = "UTC" | "local";
const ZONE_KEY = "autoexec.timeZone";
let zoneChoice: TimeZoneChoice = readZoneChoice();

function readZoneChoice(): TimeZoneChoice {
  try {
    return globalThis.localStorage?.getItem(ZONE_KEY) === "local" ? "local" : "UTC";
  } catch {
    return "UTC";
  }
}

export function timeZoneChoice(): TimeZoneChoice {
  return zoneChoice;
}

export function setTimeZoneChoice(choice: TimeZoneChoice): void {
  zoneChoice = choice;
  try {
    globalThis.localStorage?.setItem(ZONE_KEY, choice);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
}

/** The browser's zone, e.g. "Europe/Berlin". */
export const localZoneName = Intl.DateTimeFormat().resolvedOptions().timeZone;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: TimeZoneChoice): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat("en-GB", {
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
      ...(zone === "UTC" ? { timeZone: "UTC" } : {}),
    });
    formatters.set(zone, found);
  }
  return found;
}

/**
 * The one time format of the UI: "2026-12-01 09:12:53 UTC" (as the server's status reasons write it),
 * or in the browser's zone with its name ("2026-12-01 10:12:53 CET") when the admin chose local time.
 */
export function formatTime(
  value: string | Date | null | undefined,
  zone: TimeZoneChoice = zoneChoice,
): string {
  if (!value) return "—";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const part = Object.fromEntries(
    formatter(zone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}:${part.second} ${part.timeZoneName}`;
}

/** The exact instant, for hovering: UTC to the millisecond, and the same in the browser's zone. */
export function formatExactTime(value: string | Date | null | undefined): string {
  if (!value) return "";
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().replace("T", " ").replace("Z", " UTC")} · ${formatTime(date, "local")} (${localZoneName})`;
}

/** Server reasons carry times as "YYYY-MM-DD HH:MM:SS UTC": the pattern <TimeText> re-renders in the chosen zone. */
export const REASON_TIME = /\b(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) UTC\b/g;

/** "3 min ago", "in 2 h", from an ISO time. */
export function formatAge(value: string | null | undefined, now = Date.now()): string {
  if (!value) return "—";
  const seconds = Math.round((now - new Date(value).getTime()) / 1000);
  const future = seconds < 0;
  const span = formatSeconds(Math.abs(seconds));
  return future ? `in ${span}` : `${span} ago`;
}

/** A span of seconds in its largest sensible unit: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function formatSeconds(total: number): string {
  if (total < 0) return `−${formatSeconds(-total)}`;
  if (total < 60) return `${Math.round(total)} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

export function formatMoney(value: string | number): string {
  return `$${Number(value).toFixed(2)}/mo`;
}

export function formatPercent(value: number | string | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return "—";
  return `${(Number(value) * 100).toFixed(digits)}%`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** PostGraphile's Interval object. */
export interface Interval {
  years?: number | null;
  months?: number | null;
  days?: number | null;
  hours?: number | null;
  minutes?: number | null;
  seconds?: number | null;
}

export function intervalSeconds(interval: Interval | null | undefined): number {
  if (!interval) return 0;
  return (
    (interval.years ?? 0) * 365 * 86_400 +
    (interval.months ?? 0) * 30 * 86_400 +
    (interval.days ?? 0) * 86_400 +
    (interval.hours ?? 0) * 3_600 +
    (interval.minutes ?? 0) * 60 +
    (interval.seconds ?? 0)
  );
}

export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? "null";
}
