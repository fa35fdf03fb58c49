import { FLOAT64_EPS } from '../metrics/metricInput.js';

/**
 * A model's metrics reduced to what a bootstrap resample changes: row weights. Each resample is
 * given as counts (how often each row was drawn), and every metric Modelship reports follows from
 * weighted histograms of per-row categories (confusion cells, group × cell) and weighted sums of
 * per-row values (log loss, squared error): O(rows) per resample, no resampled copy, no sort.
 */
export interface WeightedStatistic {
  /** What compute() writes, in order: a metric, or a fairness metric of one attribute. */
  readonly keys: readonly MetricKey[];
  /** Per-row categories in [0, size), histogrammed with the row weights. */
  readonly channels: readonly { codes: Uint8Array | Uint16Array | Uint32Array; size: number }[];
  /** Per-row values summed with the row weights. */
  readonly sums: readonly Float64Array[];
  /** Per-row values summed with the row weights per category (a group's error sums). */
  readonly weightedChannels?: readonly { codes: Uint32Array; size: number; values: Float64Array }[];
  /** One resample's values (NaN where undefined) from its histograms and sums, of total weight n. */
  compute(
    histograms: readonly Float64Array[],
    sums: Float64Array,
    n: number,
    out: Float64Array,
  ): void;
}

/** A metric, or a fairness metric of one sensitive attribute. */
export interface MetricKey {
  metric: string;
  attribute?: string;
}

/** Fairlearn's disparities, in the order a binary statistic writes them per attribute. */
export const DISPARITIES = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
] as const;

/** One sensitive attribute's groups as row codes. */
export interface GroupCodes {
  attribute: string;
  /** The group index of each row, in [0, names.length). */
  codes: Uint32Array;
  /** The group values, sorted as fairnessReport sorts them. */
  names: string[];
  /** Which groups enter the disparities (default: all); the others are reported only. */
  included?: readonly boolean[];
}

/** Row codes for a sensitive column's values (groups sorted by value, as fairnessReport's). */
export function groupCodes(attribute: string, values: readonly string[]): GroupCodes {
  const names = [...new Set(values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const index = new Map(names.map((name, i) => [name, i]));
  const codes = new Uint32Array(values.length);
  for (let i = 0; i < values.length; i++) codes[i] = index.get(values[i]!)!;
  return { attribute, codes, names };
}

/** The binary metrics that resampling covers (roc_auc has DeLong's exact variance instead). */
export const BINARY_RESAMPLED = ['accuracy', 'precision', 'recall', 'f1', 'log_loss', 'brier'];

/**
 * Binary metrics and the fairness disparities of each attribute, as binaryMetrics and
 * fairnessReport compute them (same clipping, same zero-division rules). A group without weight
 * in a resample is absent from it, as it would be from the resampled rows.
 */
export function binaryStatistic(
  yTrue: Uint8Array,
  scores: Float64Array,
  threshold: number,
  attributes: readonly GroupCodes[] = [],
): WeightedStatistic {
  const n = yTrue.length;
  const cells = new Uint8Array(n);
  const logLoss = new Float64Array(n);
  const brier = new Float64Array(n);
  const high = 1 - FLOAT64_EPS;
  for (let i = 0; i < n; i++) {
    const score = scores[i]!;
    const positive = yTrue[i] !== 0;
    cells[i] = (positive ? 2 : 0) + (score >= threshold ? 1 : 0);
    const p = score < FLOAT64_EPS ? FLOAT64_EPS : score > high ? high : score;
    const q = 1 - p;
    logLoss[i] = -Math.log((positive ? p : q) / (q + p));
    brier[i] = positive ? (1 - score) * (1 - score) : score * score;
  }
  // With attributes, each channel is group × cell, and the first one also gives the confusion.
  const channels = attributes.length
    ? attributes.map((a) => {
        const codes = new Uint32Array(n);
        for (let i = 0; i < n; i++) codes[i] = 4 * a.codes[i]! + cells[i]!;
        return { codes, size: 4 * a.names.length };
      })
    : [{ codes: cells, size: 4 }];
  const keys: MetricKey[] = BINARY_RESAMPLED.map((metric) => ({ metric }));
  for (const a of attributes)
    for (const metric of DISPARITIES) keys.push({ metric, attribute: a.attribute });
  return {
    keys,
    channels,
    sums: [logLoss, brier],
    compute(histograms, sums, total, out) {
      const first = histograms[0]!;
      let tn = 0;
      let fp = 0;
      let fn = 0;
      let tp = 0;
      for (let k = 0; k < first.length; k += 4) {
        tn += first[k]!;
        fp += first[k + 1]!;
        fn += first[k + 2]!;
        tp += first[k + 3]!;
      }
      const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
      const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
      out[0] = (tp + tn) / total;
      out[1] = precision;
      out[2] = recall;
      out[3] = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      out[4] = sums[0]! / total;
      out[5] = sums[1]! / total;
      for (let a = 0; a < attributes.length; a++)
        disparities(histograms[a]!, attributes[a]!.included, out, 6 + a * DISPARITIES.length);
    },
  };
}

/** Fairlearn's between-group disparities from a group × cell histogram, written at out[at…]. */
function disparities(
  histogram: Float64Array,
  included: readonly boolean[] | undefined,
  out: Float64Array,
  at: number,
): void {
  let selLow = Infinity;
  let selHigh = -Infinity;
  let tprLow = Infinity;
  let tprHigh = -Infinity;
  let fprLow = Infinity;
  let fprHigh = -Infinity;
  for (let g = 0, k = 0; k < histogram.length; g++, k += 4) {
    const tn = histogram[k]!;
    const fp = histogram[k + 1]!;
    const fn = histogram[k + 2]!;
    const tp = histogram[k + 3]!;
    const count = tn + fp + fn + tp;
    if (count === 0 || (included && !included[g])) continue;
    const sel = (tp + fp) / count;
    const tpr = tp + fn === 0 ? 0 : tp / (tp + fn);
    const fpr = fp + tn === 0 ? 0 : fp / (fp + tn);
    if (sel < selLow) selLow = sel;
    if (sel > selHigh) selHigh = sel;
    if (tpr < tprLow) tprLow = tpr;
    if (tpr > tprHigh) tprHigh = tpr;
    if (fpr < fprLow) fprLow = fpr;
    if (fpr > fprHigh) fprHigh = fpr;
  }
  if (selHigh === -Infinity) {
    out.fill(NaN, at, at + DISPARITIES.length);
    return;
  }
  const tprRatio = tprHigh === 0 ? NaN : tprLow / tprHigh;
  const fprRatio = fprHigh === 0 ? NaN : fprLow / fprHigh;
  out[at] = selHigh - selLow;
  out[at + 1] = selHigh === 0 ? NaN : selLow / selHigh;
  out[at + 2] = Math.max(tprHigh - tprLow, fprHigh - fprLow);
  out[at + 3] =
    Number.isNaN(tprRatio) || Number.isNaN(fprRatio) ? NaN : Math.min(tprRatio, fprRatio);
  out[at + 4] = tprHigh - tprLow;
}

/**
 * Multiclass metrics as multiclassMetrics computes them: accuracy, macro F1 over the classes
 * present in y_true ∪ y_pred, and the clipped, renormalised log loss.
 */
export function multiclassStatistic(
  yTrue: Int32Array,
  proba: Float64Array,
  classCount: number,
  attributes: readonly GroupCodes[] = [],
): WeightedStatistic {
  const n = yTrue.length;
  const c = classCount;
  const codes = new Uint32Array(n);
  const logLoss = new Float64Array(n);
  const high = 1 - FLOAT64_EPS;
  const clip = (v: number) => (v < FLOAT64_EPS ? FLOAT64_EPS : v > high ? high : v);
  for (let i = 0, base = 0; i < n; i++, base += c) {
    let best = 0;
    let bestValue = -1;
    let rowSum = 0;
    for (let k = 0; k < c; k++) {
      const value = proba[base + k]!;
      if (value > bestValue) {
        best = k;
        bestValue = value;
      }
      rowSum += clip(value);
    }
    const label = yTrue[i]!;
    codes[i] = label * c + best;
    logLoss[i] = -Math.log(clip(proba[base + label]!) / rowSum);
  }
  // Per attribute: group × correct, for Fairlearn's accuracy difference and ratio.
  const grouped = attributes.map((a) => {
    const own = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      const correct = Math.floor(codes[i]! / c) === codes[i]! % c ? 1 : 0;
      own[i] = 2 * a.codes[i]! + correct;
    }
    return { codes: own, size: 2 * a.names.length };
  });
  const keys: MetricKey[] = [
    { metric: 'accuracy' },
    { metric: 'macro_f1' },
    { metric: 'log_loss' },
  ];
  for (const a of attributes)
    for (const metric of ['accuracy_difference', 'accuracy_ratio'])
      keys.push({ metric, attribute: a.attribute });
  return {
    keys,
    channels: [{ codes, size: c * c }, ...grouped],
    sums: [logLoss],
    compute(histograms, sums, total, out) {
      const cells = histograms[0]!;
      let correct = 0;
      let f1Sum = 0;
      let labels = 0;
      for (let k = 0; k < c; k++) {
        let trueSum = 0;
        let predSum = 0;
        for (let j = 0; j < c; j++) {
          trueSum += cells[k * c + j]!;
          predSum += cells[j * c + k]!;
        }
        const tp = cells[k * c + k]!;
        correct += tp;
        if (trueSum === 0 && predSum === 0) continue;
        labels++;
        const precision = predSum === 0 ? 0 : tp / predSum;
        const recall = trueSum === 0 ? 0 : tp / trueSum;
        const d = precision + recall;
        f1Sum += d === 0 ? 0 : (2 * precision * recall) / d;
      }
      out[0] = correct / total;
      out[1] = labels === 0 ? 0 : f1Sum / labels;
      out[2] = sums[0]! / total;
      attributes.forEach((a, k) => {
        const h = histograms[1 + k]!;
        const accuracy = (g: number) => {
          const count = h[2 * g]! + h[2 * g + 1]!;
          return count === 0 ? NaN : h[2 * g + 1]! / count;
        };
        writeSpread(a, accuracy, out, 3 + 2 * k);
      });
    },
  };
}

/**
 * Regression metrics as regressionMetrics computes them. r2's total sum of squares is taken about
 * the full holdout's mean, Σw(y − m)² − (Σw(y − m))² / n, which stays exact-enough where the
 * resample's own mean differs little from m; a resample of one distinct target value gives
 * sklearn's force_finite result (1 when predicted exactly, else 0).
 */
export function regressionStatistic(
  yTrue: Float64Array,
  yPred: Float64Array,
  attributes: readonly GroupCodes[] = [],
): WeightedStatistic {
  const n = yTrue.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += yTrue[i]!;
  mean /= n;
  const absolute = new Float64Array(n);
  const squared = new Float64Array(n);
  const centred = new Float64Array(n);
  const centredSquared = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const e = yTrue[i]! - yPred[i]!;
    const d = yTrue[i]! - mean;
    absolute[i] = Math.abs(e);
    squared[i] = e * e;
    centred[i] = d;
    centredSquared[i] = d * d;
  }
  const keys: MetricKey[] = [
    { metric: 'mae' },
    { metric: 'mse' },
    { metric: 'rmse' },
    { metric: 'r2' },
  ];
  for (const a of attributes)
    for (const metric of ['mae_difference', 'mae_ratio', 'rmse_difference', 'rmse_ratio'])
      keys.push({ metric, attribute: a.attribute });
  return {
    keys,
    // Per attribute: the group's rows, and its Σ|error| and Σ error².
    channels: attributes.map((a) => ({ codes: a.codes, size: a.names.length })),
    weightedChannels: attributes.flatMap((a) => [
      { codes: a.codes, size: a.names.length, values: absolute },
      { codes: a.codes, size: a.names.length, values: squared },
    ]),
    sums: [absolute, squared, centred, centredSquared],
    compute(histograms, sums, total, out) {
      const residual = sums[1]!;
      const mse = residual / total;
      out[0] = sums[0]! / total;
      out[1] = mse;
      out[2] = Math.sqrt(mse);
      const spread = sums[3]! - (sums[2]! * sums[2]!) / total;
      out[3] =
        total < 2
          ? NaN
          : residual === 0
            ? 1
            : spread <= 1e-12 * sums[3]!
              ? 0
              : 1 - residual / spread;
      const count = attributes.length;
      attributes.forEach((a, k) => {
        const rows = histograms[k]!;
        const abs = histograms[count + 2 * k]!;
        const sq = histograms[count + 2 * k + 1]!;
        const at = 4 + 4 * k;
        writeSpread(a, (g) => (rows[g] === 0 ? NaN : abs[g]! / rows[g]!), out, at);
        writeSpread(a, (g) => (rows[g] === 0 ? NaN : Math.sqrt(sq[g]! / rows[g]!)), out, at + 2);
      });
    },
  };
}

/**
 * Fairlearn's between-group difference (max − min) and ratio (min / max, NaN for 0/0) of a
 * per-group value over the included groups present in the resample (value NaN: absent).
 */
function writeSpread(
  attribute: GroupCodes,
  valueOf: (group: number) => number,
  out: Float64Array,
  at: number,
): void {
  let low = Infinity;
  let high = -Infinity;
  for (let g = 0; g < attribute.names.length; g++) {
    if (attribute.included && !attribute.included[g]) continue;
    const value = valueOf(g);
    if (Number.isNaN(value)) continue;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (high === -Infinity) {
    out[at] = NaN;
    out[at + 1] = NaN;
    return;
  }
  out[at] = high - low;
  out[at + 1] = high === 0 ? NaN : low / high;
}
