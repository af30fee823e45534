export interface WaitOptions {
  /** What is awaited, for the timeout error and progress lines. */
  what?: string;
  intervalMs?: number;
  /** Once waiting has taken this long, print a progress line every `progressEveryMs`. */
  progressAfterMs?: number;
  progressEveryMs?: number;
  /** Extra detail for progress lines and the timeout error (e.g. "37 of 200 executed"). */
  describe?: () => string | Promise<string>;
}

/** Polls `predicate` until it is true; throws after `timeoutMs`. Use instead of fixed sleeps. */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  options: WaitOptions = {},
): Promise<void> {
  const { what = "condition", intervalMs = 50, progressAfterMs = 10_000, progressEveryMs = 5_000 } = options;
  const started = Date.now();
  let nextProgressAt = started + progressAfterMs;
  for (;;) {
    if (await predicate()) return;
    const now = Date.now();
    if (now - started >= timeoutMs) {
      const detail = options.describe ? ` (${await options.describe()})` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    if (now >= nextProgressAt) {
      const detail = options.describe ? `: ${await options.describe()}` : "";
      console.log(`still waiting for ${what} after ${Math.round((now - started) / 1000)} s${detail}`);
      nextProgressAt = now + progressEveryMs;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
