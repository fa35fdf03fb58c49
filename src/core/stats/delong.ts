import { normalSf } from './specialFunctions.js';
import { normalQuantile } from './quantiles.js';

/**
 * DeLong's method for roc_auc (DeLong, DeLong & Clarke-Pearson 1988) in the fast midrank form of
 * Sun & Xu (2014): O(n log n), a sort of each model's positive and negative scores. The structural components of
 * positive i and negative j are V10_i = (Tz_i − Tx_i) / n and V01_j = 1 − (Tz_j − Ty_j) / m, with
 * midranks Tz among all rows, Tx among the m positives and Ty among the n negatives; the AUC is
 * their mean and its variance var(V10) / m + var(V01) / n (sample variances, ddof 1).
 */

/**
 * 1-based midranks of values (ties share their average rank), as scipy's `rankdata`: one native
 * sort of a copy, then each value's first and last position among the sorted by binary search.
 */
export function midranks(values: Float64Array): Float64Array {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = values[i]!;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < value) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= value) lo = mid + 1;
      else hi = mid;
    }
    // Ranks first + 1 … lo, averaged.
    ranks[i] = (first + 1 + lo) / 2;
  }
  return ranks;
}

/** One model's structural components: its AUC and the V10 (positives) and V01 (negatives). */
interface Components {
  auc: number;
  v10: Float64Array;
  v01: Float64Array;
}

/** How many of the ascending values are below `value`, plus half of those equal to it. */
function belowAndHalfTied(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  const below = lo;
  hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return below + (lo - below) / 2;
}

/**
 * The structural components through midranks' differences: Tz_i − Tx_i of a positive is the
 * number of negatives below it plus half those tied, and Tz_j − Ty_j of a negative the same count
 * of positives, so two native sorts and a binary search per row give them.
 */
function components(positives: Float64Array, negatives: Float64Array): Components {
  const m = positives.length;
  const n = negatives.length;
  const sortedPos = Float64Array.from(positives).sort();
  const sortedNeg = Float64Array.from(negatives).sort();
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < m; i++) {
    const count = belowAndHalfTied(sortedNeg, positives[i]!);
    v10[i] = count / n;
    sum += count;
  }
  for (let j = 0; j < n; j++) v01[j] = 1 - belowAndHalfTied(sortedPos, negatives[j]!) / m;
  return { auc: sum / (m * n), v10, v01 };
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/** Sample covariance (ddof 1); 0 for a single value. */
function covariance(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  if (n < 2) return 0;
  const ma = mean(a);
  const mb = mean(b);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (a[i]! - ma) * (b[i]! - mb);
  return sum / (n - 1);
}

/** The scores of the positives and of the negatives, each in row order. */
function split(yTrue: Uint8Array, scores: Float64Array): [Float64Array, Float64Array] | null {
  let m = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] !== 0) m++;
  const n = yTrue.length - m;
  if (m === 0 || n === 0) return null;
  const pos = new Float64Array(m);
  const neg = new Float64Array(n);
  for (let i = 0, p = 0, q = 0; i < yTrue.length; i++) {
    if (yTrue[i] !== 0) pos[p++] = scores[i]!;
    else neg[q++] = scores[i]!;
  }
  return [pos, neg];
}

/** A model's AUC and its DeLong variance. */
export interface DelongAuc {
  auc: number;
  variance: number;
}

/** DeLong's AUC and variance; null when yTrue holds one class (the AUC is undefined). */
export function delongAuc(yTrue: Uint8Array, scores: Float64Array): DelongAuc | null {
  const sets = split(yTrue, scores);
  if (!sets) return null;
  const c = components(...sets);
  return {
    auc: c.auc,
    variance: covariance(c.v10, c.v10) / c.v10.length + covariance(c.v01, c.v01) / c.v01.length,
  };
}

/** Two models' AUCs on the same rows, their covariance and the test of their difference. */
export interface DelongPaired {
  candidate: DelongAuc;
  baseline: DelongAuc;
  covariance: number;
  /** candidate − baseline. */
  difference: number;
  /** var(A) + var(B) − 2 cov(A, B). */
  differenceVariance: number;
  /** Two-sided p-value of "the AUCs are equal" (1 when both the difference and its variance are 0). */
  pValue: number;
}

/** DeLong's paired comparison of two correlated AUCs; null when yTrue holds one class. */
export function delongPaired(
  yTrue: Uint8Array,
  candidate: Float64Array,
  baseline: Float64Array,
): DelongPaired | null {
  const a = split(yTrue, candidate);
  const b = split(yTrue, baseline);
  if (!a || !b) return null;
  const ca = components(...a);
  const cb = components(...b);
  const m = ca.v10.length;
  const n = ca.v01.length;
  const varA = covariance(ca.v10, ca.v10) / m + covariance(ca.v01, ca.v01) / n;
  const varB = covariance(cb.v10, cb.v10) / m + covariance(cb.v01, cb.v01) / n;
  const cov = covariance(ca.v10, cb.v10) / m + covariance(ca.v01, cb.v01) / n;
  const difference = ca.auc - cb.auc;
  // Rounding can leave a tiny negative variance for identical models.
  const differenceVariance = Math.max(0, varA + varB - 2 * cov);
  const pValue =
    differenceVariance === 0
      ? difference === 0
        ? 1
        : 0
      : 2 * normalSf(Math.abs(difference) / Math.sqrt(differenceVariance));
  return {
    candidate: { auc: ca.auc, variance: varA },
    baseline: { auc: cb.auc, variance: varB },
    covariance: cov,
    difference,
    differenceVariance,
    pValue,
  };
}

/**
 * The normal (Wald) interval value ± z·√variance at a confidence, z the (1 + c)/2 normal
 * quantile, clipped to [lowest, highest] (an AUC to [0, 1], a difference of AUCs to [−1, 1]).
 */
export function normalInterval(
  value: number,
  variance: number,
  confidence: number,
  lowest: number,
  highest: number,
): { low: number; high: number } {
  const half = normalQuantile((1 + confidence) / 2) * Math.sqrt(variance);
  return { low: Math.max(lowest, value - half), high: Math.min(highest, value + half) };
}
