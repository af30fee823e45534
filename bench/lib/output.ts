/** Clocks, statistics and text output of the benchmark. */

/** Wall-clock milliseconds with sub-millisecond resolution (Date.now() has whole milliseconds only). */
export const wallNow = () => performance.timeOrigin + performance.now();
const benchStart = performance.now();
export const fmt = (value: number, digits = 1) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const int = (value: number) => Math.round(value).toLocaleString("en-US");

/** A progress line, stamped with the seconds since the benchmark started. */
export function progress(message: string): void {
  const elapsed = ((performance.now() - benchStart) / 1000).toFixed(1).padStart(6);
  console.log(`[${elapsed} s] ${message}`);
}

export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** The middle item by `value` (the lower middle one of an even count). */
export function middle<T>(items: T[], value: (item: T) => number): T | undefined {
  return [...items].sort((a, b) => value(a) - value(b))[Math.floor((items.length - 1) / 2)];
}

/** Nearest-rank percentiles. */
export function summarize(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
  return {
    n: sorted.length,
    mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** A horizontal bar in eighths of a character, padded to `width`, with ┊ at the target's column. */
export function bar(value: number, scale: number, width: number, target: number): string {
  const eighths = Math.max(0, Math.round((value / scale) * width * 8));
  const partial = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"][eighths % 8] ?? "";
  const cells = [...`${"█".repeat(Math.floor(eighths / 8))}${partial}`.padEnd(width)];
  const targetColumn = Math.min(width - 1, Math.round((target / scale) * width));
  if (cells[targetColumn] === " ") cells[targetColumn] = "┊";
  return cells.join("");
}
