import { normalSf } from './specialFunctions.js';

/**
 * The q-quantile (0 ≤ q ≤ 1) of ascending values, as numpy's `percentile` with its default
 * (`method='linear'`): position (N − 1)·q, interpolated between its neighbours.
 */
export function sortedQuantile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const position = (n - 1) * q;
  const below = Math.floor(position);
  const fraction = position - below;
  const low = sorted[below]!;
  return fraction === 0 || below + 1 >= n ? low : low + fraction * (sorted[below + 1]! - low);
}

/**
 * The percentile interval at a confidence: the (1 − c)/2 and (1 + c)/2 quantiles of a bootstrap
 * distribution (Efron's percentile method), the replicates already sorted with NaN removed.
 */
export function percentileInterval(
  sorted: Float64Array,
  confidence: number,
): { low: number; high: number } {
  const tail = (1 - confidence) / 2;
  return { low: sortedQuantile(sorted, tail), high: sortedQuantile(sorted, 1 - tail) };
}

/** The values without NaN (undefined replicates, e.g. a 0/0 ratio), sorted ascending. */
export function sortedFinite(values: Float64Array): Float64Array {
  let kept = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) kept++;
  const out = new Float64Array(kept);
  for (let i = 0, k = 0; i < values.length; i++)
    if (!Number.isNaN(values[i]!)) out[k++] = values[i]!;
  return out.sort();
}

/** φ(z), the standard normal density. */
function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
}

/**
 * z with P(Z ≤ z) = p for a standard normal Z (scipy's `norm.ppf`): Acklam's rational
 * approximation (relative error 1e-9), then two Newton steps on the tail-accurate survival
 * function, which bring it to double precision.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : NaN;
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let z: number;
  if (p < low || p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(p < low ? p : 1 - p));
    const value =
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
    z = p < low ? value : -value;
  } else {
    const q = p - 0.5;
    const r = q * q;
    z =
      ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
      (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  for (let step = 0; step < 2; step++) {
    // Φ(z) − p, through the survival function so the upper tail keeps its digits.
    const error = z > 0 ? 1 - p - normalSf(z) : normalSf(-z) - p;
    z -= error / normalPdf(z);
  }
  return z;
}
