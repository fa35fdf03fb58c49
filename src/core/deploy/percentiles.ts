/**
 * Exact percentiles of a sample, by numpy's default method ('linear', Hyndman and Fan's type 7):
 * with the n values sorted ascending as x[0..n-1], the q-th quantile (0 ≤ q ≤ 1) sits at rank
 * h = (n − 1)·q and is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]). Every sample counts: no
 * histogram buckets, no streaming estimate.
 */

/** The quantiles of `values` at each q in `qs` (0..1); undefined for an empty sample. */
export function quantiles(values: ArrayLike<number>, qs: readonly number[]): number[] | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return qs.map((q) => quantileOfSorted(sorted, q));
}

/** The q-th quantile (0..1) of values already sorted ascending. */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} is outside 0..1`);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const below = sorted[lo]!;
  return below + (h - lo) * (sorted[hi]! - below);
}
