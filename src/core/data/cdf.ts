/**
 * A distribution function that is piecewise linear with jumps: the common form of an empirical
 * CDF (flat between values, a jump at each) and of a quantile sketch (linear between quantiles).
 * At each breakpoint xs[i] it has a left limit left[i] and a value right[i]; between breakpoints
 * it goes linearly from right[i] to left[i+1]; it is 0 before xs[0] and 1 after the last.
 */
export interface Cdf {
  xs: Float64Array;
  left: Float64Array;
  right: Float64Array;
}

/** The empirical CDF of sorted distinct values with their counts. */
export function stepCdf(values: ArrayLike<number>, counts: ArrayLike<number>): Cdf {
  const n = values.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i]!;
  const xs = Float64Array.from(values);
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  let cum = 0;
  for (let i = 0; i < n; i++) {
    left[i] = cum / total;
    cum += counts[i]!;
    right[i] = cum / total;
  }
  if (n) right[n - 1] = 1;
  return { xs, left, right };
}

/** The CDF through the points (quantiles[k], levels[k]) of a sketch (levels from 0 to 1). */
export function sketchCdf(levels: readonly number[], quantiles: readonly number[]): Cdf {
  const xs: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  for (let k = 0; k < quantiles.length; k++) {
    const x = quantiles[k]!;
    if (xs.length && xs[xs.length - 1] === x) right[right.length - 1] = levels[k]!;
    else {
      xs.push(x);
      left.push(levels[k]!);
      right.push(levels[k]!);
    }
  }
  if (xs.length) {
    left[0] = 0;
    right[right.length - 1] = 1;
  }
  return {
    xs: Float64Array.from(xs),
    left: Float64Array.from(left),
    right: Float64Array.from(right),
  };
}

/** Walks a CDF at ascending points: its left limit and value at each. */
class CdfCursor {
  private i = 0;
  constructor(private readonly cdf: Cdf) {}

  /** [F(u−), F(u)] for u not below the previous call's. */
  at(u: number): [number, number] {
    const { xs, left, right } = this.cdf;
    while (this.i < xs.length && xs[this.i]! < u) this.i++;
    const i = this.i;
    if (i < xs.length && xs[i] === u) return [left[i]!, right[i]!];
    if (i === 0) return [0, 0];
    if (i === xs.length) return [1, 1];
    const x0 = xs[i - 1]!;
    const p0 = right[i - 1]!;
    const p = p0 + ((u - x0) / (xs[i]! - x0)) * (left[i]! - p0);
    return [p, p];
  }
}

/** The sorted union of the breakpoints of several CDFs. */
function unionPoints(cdfs: readonly Cdf[]): Float64Array {
  let all = new Float64Array(0);
  for (const cdf of cdfs) {
    const merged = new Float64Array(all.length + cdf.xs.length);
    let a = 0;
    let b = 0;
    let k = 0;
    while (a < all.length || b < cdf.xs.length) {
      const x =
        b >= cdf.xs.length || (a < all.length && all[a]! <= cdf.xs[b]!) ? all[a++]! : cdf.xs[b++]!;
      if (k === 0 || merged[k - 1] !== x) merged[k++] = x;
    }
    all = merged.subarray(0, k);
  }
  return all;
}

/**
 * sup |A − B| and ∫ |A − B| dx of two CDFs in one sweep. For two empirical CDFs these are the
 * two-sample KS statistic and the Wasserstein-1 distance exactly as scipy computes them.
 */
export function compareCdfs(a: Cdf, b: Cdf): { ks: number; wasserstein: number } {
  const points = unionPoints([a, b]);
  const ca = new CdfCursor(a);
  const cb = new CdfCursor(b);
  let ks = 0;
  let w = 0;
  let prevX = 0;
  let prevD = 0;
  for (let k = 0; k < points.length; k++) {
    const u = points[k]!;
    const [al, ar] = ca.at(u);
    const [bl, br] = cb.at(u);
    const dl = al - bl;
    const dr = ar - br;
    if (k > 0) w += linearAbsIntegral(prevD, dl, u - prevX);
    ks = Math.max(ks, Math.abs(dl), Math.abs(dr));
    prevX = u;
    prevD = dr;
  }
  return { ks, wasserstein: w };
}

/** ∫ over [0, width] of |d| where d goes linearly from d0 to d1. */
function linearAbsIntegral(d0: number, d1: number, width: number): number {
  if (d0 === d1) return Math.abs(d0) * width;
  if ((d0 >= 0 && d1 >= 0) || (d0 <= 0 && d1 <= 0))
    return ((Math.abs(d0) + Math.abs(d1)) / 2) * width;
  return ((d0 * d0 + d1 * d1) / (2 * (Math.abs(d0) + Math.abs(d1)))) * width;
}

/** The weighted mixture Σ w_k F_k (weights summing to 1): the CDF of pooled shards. */
export function mixCdfs(parts: readonly { cdf: Cdf; weight: number }[]): Cdf {
  const xs = unionPoints(parts.map((p) => p.cdf));
  const left = new Float64Array(xs.length);
  const right = new Float64Array(xs.length);
  for (const { cdf, weight } of parts) {
    const cursor = new CdfCursor(cdf);
    for (let k = 0; k < xs.length; k++) {
      const [l, r] = cursor.at(xs[k]!);
      left[k]! += weight * l;
      right[k]! += weight * r;
    }
  }
  if (xs.length) right[xs.length - 1] = 1;
  return { xs, left, right };
}

/** The smallest x with F(x) >= p for each ascending level p, linear inside rising segments. */
export function cdfQuantiles(cdf: Cdf, levels: readonly number[]): number[] {
  const { xs, left, right } = cdf;
  const out: number[] = [];
  let i = 0;
  for (const p of levels) {
    while (i < xs.length - 1 && right[i]! < p) i++;
    if (i > 0 && left[i]! >= p && left[i]! > right[i - 1]!) {
      const p0 = right[i - 1]!;
      out.push(xs[i - 1]! + ((p - p0) / (left[i]! - p0)) * (xs[i]! - xs[i - 1]!));
    } else out.push(xs[i]!);
  }
  return out;
}

/** F(x−) by binary search: the share of the distribution strictly below x. */
export function cdfBelow(cdf: Cdf, x: number): number {
  const { xs, left, right } = cdf;
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  if (lo < xs.length && xs[lo] === x) return left[lo]!;
  if (lo === 0) return 0;
  if (lo === xs.length) return 1;
  const p0 = right[lo - 1]!;
  return p0 + ((x - xs[lo - 1]!) / (xs[lo]! - xs[lo - 1]!)) * (left[lo]! - p0);
}
