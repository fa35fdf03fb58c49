import type { ModelshipConfig } from '../config/modelshipConfig.js';
import {
  binaryStatistic,
  metricIntervals,
  multiclassStatistic,
  regressionStatistic,
  type ModelIntervals,
} from '../stats/index.js';
import type { Labels } from './labels.js';
import type { ScoredRows } from './reportIntervals.js';
import { pick, pickRows, sliceCrosses, sliceName, sliceRows, type SliceResult } from './slices.js';

/**
 * The intervals of every slice of at least two rows, by slice name: the same paired bootstrap
 * (and DeLong for roc_auc) as the whole holdout's, on the slice's rows, with the same seed.
 */
export function sliceIntervals(
  config: ModelshipConfig,
  labels: Labels,
  candidate: ScoredRows,
  baseline: ScoredRows | null,
): Map<string, ModelIntervals> {
  const out = new Map<string, ModelIntervals>();
  if (!config.slices || config.intervals.replicates === 0) return out;
  const settings = { replicates: config.intervals.replicates, seed: config.intervals.seed };
  const c = candidate.predictions;
  const b = baseline?.predictions ?? null;
  for (const slice of sliceRows(candidate.extras, sliceCrosses(config.slices.by))) {
    const { rows } = slice;
    if (rows.length < 2) continue;
    const n = rows.length;
    let intervals: ModelIntervals;
    if (labels.kind === 'binary' && c.kind === 'binary' && (b === null || b.kind === 'binary')) {
      const yTrue = pick(labels.yTrue, rows);
      const scores = pick(c.scores, rows);
      const base = b ? pick(b.scores, rows) : null;
      const stat = (s: Float64Array) => binaryStatistic(yTrue, s, config.model.threshold);
      intervals = metricIntervals(n, stat(scores), base && stat(base), settings, {
        yTrue,
        candidate: scores,
        baseline: base,
      });
    } else if (
      labels.kind === 'multiclass' &&
      c.kind === 'multiclass' &&
      (b === null || b.kind === 'multiclass')
    ) {
      const k = labels.classes.length;
      const yTrue = pick(labels.yTrue, rows);
      const stat = (proba: Float64Array) => multiclassStatistic(yTrue, pickRows(proba, k, rows), k);
      intervals = metricIntervals(n, stat(c.proba), b && stat(b.proba), settings);
    } else if (
      labels.kind === 'regression' &&
      c.kind === 'regression' &&
      (b === null || b.kind === 'regression')
    ) {
      const yTrue = pick(labels.yTrue, rows);
      const stat = (values: Float64Array) => regressionStatistic(yTrue, pick(values, rows));
      intervals = metricIntervals(n, stat(c.values), b && stat(b.values), settings);
    } else throw new Error('unreachable: predictions of another task than the labels');
    out.set(sliceName(slice), intervals);
  }
  return out;
}

/** Writes each slice's intervals at `confidence` into the slice, as the JSON report carries them. */
export function attachSliceIntervals(
  slices: readonly SliceResult[],
  intervals: ReadonlyMap<string, ModelIntervals>,
  confidence: number,
): void {
  for (const slice of slices) {
    const source = intervals.get(sliceName(slice));
    if (source) slice.intervals = source.report(confidence).metrics;
  }
}
