// Formatting for people: times, ages, money, rates, durations, intervals.

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

// dateStyle and timeStyle cannot be combined with timeZoneName (a RangeError): the fields one by one.
const zonedDateTime = new Intl.DateTimeFormat(undefined, {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZoneName: "short",
});

/** A time to the minute, with its zone ("Dec 1, 2026, 2:03 PM UTC"): plans and forecasts. */
export function formatTimeWithZone(value: string | null | undefined): string {
  if (!value) return "—";
  return zonedDateTime.format(new Date(value));
}

export function formatTime(value: string | null | undefined): string {
  if (!value) return "—";
  return dateTime.format(new Date(value));
}

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
