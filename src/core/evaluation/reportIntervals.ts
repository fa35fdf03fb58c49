import type { ModelshipConfig } from '../config/modelshipConfig.js';
import type { Predictions } from '../model/predict.js';
import {
  binaryStatistic,
  groupCodes,
  metricIntervals,
  multiclassStatistic,
  regressionStatistic,
  type GroupCodes,
  type ModelIntervals,
} from '../stats/index.js';
import type { Labels } from './labels.js';

/** One model's predictions on the holdout rows, as evaluate scored them. */
export interface ScoredRows {
  predictions: Predictions;
  /** The holdout's extra columns (sensitive attributes) by name. */
  extras: Readonly<Record<string, readonly string[]>>;
}

/**
 * The intervals of the candidate's metrics and disparities, paired with the baseline's on the same
 * rows (modelship.yml's intervals section); null when intervals.replicates is 0. Groups that the
 * fairness report left out as small (`small_groups`) are left out of the resampled disparities too.
 */
export function reportIntervals(
  config: ModelshipConfig,
  labels: Labels,
  candidate: ScoredRows,
  baseline: ScoredRows | null,
  fairness: Readonly<Record<string, object>>,
): ModelIntervals | null {
  const { replicates, seed } = config.intervals;
  if (replicates === 0) return null;
  const settings = { replicates, seed };
  const rows = labels.yTrue.length;
  const c = candidate.predictions;
  const b = baseline?.predictions ?? null;
  const groups = (config.fairness?.sensitive ?? []).map((attribute): GroupCodes => {
    const codes = groupCodes(attribute, candidate.extras[attribute] ?? []);
    const report = fairness[attribute] as { small_groups?: readonly string[] } | undefined;
    const small = new Set(report?.small_groups ?? []);
    return small.size ? { ...codes, included: codes.names.map((g) => !small.has(g)) } : codes;
  });
  if (labels.kind === 'binary' && c.kind === 'binary' && (b === null || b.kind === 'binary')) {
    const threshold = config.model.threshold;
    const stat = (scores: Float64Array) => binaryStatistic(labels.yTrue, scores, threshold, groups);
    return metricIntervals(rows, stat(c.scores), b && stat(b.scores), settings, {
      yTrue: labels.yTrue,
      candidate: c.scores,
      baseline: b?.scores ?? null,
    });
  }
  if (
    labels.kind === 'multiclass' &&
    c.kind === 'multiclass' &&
    (b === null || b.kind === 'multiclass')
  ) {
    const stat = (proba: Float64Array) =>
      multiclassStatistic(labels.yTrue, proba, labels.classes.length, groups);
    return metricIntervals(rows, stat(c.proba), b && stat(b.proba), settings);
  }
  if (
    labels.kind === 'regression' &&
    c.kind === 'regression' &&
    (b === null || b.kind === 'regression')
  )
    return metricIntervals(
      rows,
      regressionStatistic(labels.yTrue, c.values, groups),
      b && regressionStatistic(labels.yTrue, b.values, groups),
      settings,
    );
  throw new Error('unreachable: predictions of another task than the labels');
}
