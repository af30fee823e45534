/**
 * The precision of the percentiles the stats give (from the rollups' histograms,
 * autoexec_private.latency_bin): within 2^(1/16) - 1 = 4.4 % of percentile_cont over the raw values,
 * plus the rounding to 3 decimals.
 */
export const PERCENTILE_PRECISION = 2 ** (1 / 16) - 1;

export function isWithinPercentilePrecision(estimate: number, exact: number): boolean {
  return Math.abs(estimate - exact) <= Math.abs(exact) * PERCENTILE_PRECISION + 0.0005;
}

/** An asymmetric matcher for toEqual: a percentile estimated from a histogram of these exact values. */
export function nearPercentile(exact: number) {
  return {
    asymmetricMatch: (estimate: unknown) =>
      typeof estimate === "number" && isWithinPercentilePrecision(estimate, exact),
    toString: () => `a percentile within ${(PERCENTILE_PRECISION * 100).toFixed(1)} % of ${exact}`,
    toAsymmetricMatcher: () => `nearPercentile(${exact})`,
  };
}
