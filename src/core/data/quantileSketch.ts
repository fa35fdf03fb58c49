/**
 * Quantiles of a numeric column from its sorted distinct values and their counts, with linear
 * interpolation between order statistics (numpy's default, DuckDB's quantile_cont, R type 7).
 */

/**
 * Levels of the quantile sketch a profile keeps when a column has too many distinct values to
 * keep them all: steps of 0.0001 in the outer 1% on each side and 0.001 between (1,181 levels).
 * The tails get finer steps because a Wasserstein distance's error on a bin is bounded by the
 * bin's probability times its width, and tail bins are the widest.
 */
export const SKETCH_LEVELS: readonly number[] = (() => {
  const levels: number[] = [];
  for (let i = 0; i < 100; i++) levels.push(i / 10_000);
  for (let i = 10; i < 990; i++) levels.push(i / 1000);
  for (let i = 9900; i <= 10_000; i++) levels.push(i / 10_000);
  return levels;
})();

/** Type-7 quantiles at ascending `levels` of the distribution given by sorted values and counts. */
export function quantilesFromCounts(
  values: ArrayLike<number>,
  counts: ArrayLike<number>,
  levels: readonly number[],
): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return [];
  const out: number[] = [];
  // `at(k)`: the k-th order statistic (0-based), walking forward only as levels ascend.
  let j = 0;
  let before = 0; // values before index j
  const at = (k: number): number => {
    while (before + counts[j]! <= k) before += counts[j++]!;
    return values[j]!;
  };
  for (const p of levels) {
    const h = (total - 1) * p;
    const lo = Math.floor(h);
    const x = at(lo);
    if (h === lo) {
      out.push(x);
      continue;
    }
    // The next order statistic is x again, or the next distinct value.
    const y = before + counts[j]! > lo + 1 ? x : values[j + 1]!;
    out.push(x + (h - lo) * (y - x));
  }
  return out;
}

/** Mean and population standard deviation from sorted values and counts (two passes). */
export function momentsFromCounts(
  values: ArrayLike<number>,
  counts: ArrayLike<number>,
): { count: number; mean: number | null; std: number | null } {
  let n = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    n += counts[i]!;
    sum += counts[i]! * values[i]!;
  }
  if (n === 0) return { count: 0, mean: null, std: null };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += counts[i]! * (values[i]! - mean) ** 2;
  return { count: n, mean, std: Math.sqrt(ss / n) };
}

/** Shares of the 10 bins the inner decile edges cut (outer bins open; bin i is [e_i, e_i+1)). */
export function decileShares(
  innerEdges: readonly number[],
  below: (x: number) => number,
): number[] {
  const shares: number[] = [];
  let previous = 0;
  for (const edge of innerEdges) {
    const at = below(edge);
    shares.push(at - previous);
    previous = at;
  }
  shares.push(1 - previous);
  return shares;
}
