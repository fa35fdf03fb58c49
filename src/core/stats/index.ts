/**
 * Confidence intervals for every number the gate reads.
 *
 * API (also for slices and per-group intervals: pass the rows of a slice as the arrays):
 *
 *   const stat = binaryStatistic(yTrue, scores, threshold, [groupCodes('sex', sexColumn)]);
 *   const base = binaryStatistic(yTrue, baselineScores, threshold, [groupCodes('sex', sexColumn)]);
 *   const intervals = metricIntervals(rows, stat, base, { replicates: 1000, seed: 20240611 },
 *     { yTrue, candidate: scores, baseline: baselineScores }); // the last adds DeLong's roc_auc
 *   intervals.interval('value', 'f1', undefined, 0.95);   // { low, high, confidence, method }
 *   intervals.interval('change', 'demographic_parity_difference', 'sex', 0.9);
 *   intervals.report(0.95);                               // the JSON report's `intervals`
 *
 * multiclassStatistic(yTrue, proba, classCount, groups) and regressionStatistic(yTrue, yPred,
 * groups) do the same for the other tasks (their disparities: accuracy, MAE and RMSE difference
 * and ratio); baseline null gives the candidate's intervals only. A GroupCodes'
 * `included` leaves small groups out of the disparities. pairedBootstrap(rows, statistics,
 * settings) returns the raw replicate values; delongAuc / delongPaired the exact roc_auc variances.
 *
 * Methods: roc_auc uses DeLong (normal interval, clipped to [0, 1] and a change to [−1, 1]);
 * every other metric a paired bootstrap with percentile intervals (numpy's linear quantiles at
 * (1 − c)/2 and (1 + c)/2). Resamples come from xoshiro128** (random.ts), reproducible from the
 * seed; each is counts per row, so no resampled copy is built.
 */
export { delongAuc, delongPaired, midranks, normalInterval } from './delong.js';
export type { DelongAuc, DelongPaired } from './delong.js';
export {
  metricIntervals,
  ModelIntervals,
  storedIntervals,
  type Interval,
  type IntervalMethod,
  type IntervalSource,
  type IntervalsReport,
  type MetricIntervalReport,
} from './metricIntervals.js';
export { pairedBootstrap, pointValues, type BootstrapSettings } from './pairedBootstrap.js';
export { normalQuantile, percentileInterval, sortedQuantile } from './quantiles.js';
export { drawCounts, Xoshiro128 } from './random.js';
export {
  BINARY_RESAMPLED,
  binaryStatistic,
  DISPARITIES,
  groupCodes,
  multiclassStatistic,
  regressionStatistic,
  type GroupCodes,
  type MetricKey,
  type WeightedStatistic,
} from './weightedStatistic.js';
