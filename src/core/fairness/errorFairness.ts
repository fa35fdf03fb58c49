import type { FairnessMetric } from './fairnessMetric.js';
import {
  assemble,
  type FairnessOptions,
  type FairnessReport,
  type GroupAccuracy,
  type GroupErrors,
} from './fairness.js';
import { checkRows, groupIds, sortedGroups, spread } from './groups.js';

/**
 * Fairlearn's MetricFrame over a regression model's errors: per group sklearn's
 * mean_absolute_error and root mean squared error, and between groups their difference
 * (max − min) and ratio (min / max; null when every group's error is 0).
 */
export function regressionFairness(
  groupValues: readonly string[],
  yTrue: Float64Array,
  yPred: Float64Array,
  options: FairnessOptions = {},
): FairnessReport {
  const n = checkRows(groupValues, yTrue, yPred);
  const { names, ids } = groupIds(groupValues);
  // sums[3 × group + k]: rows, Σ|error|, Σ error².
  const sums = new Float64Array(3 * names.length);
  for (let i = 0; i < n; i++) {
    const g = 3 * ids[i]!;
    const error = yTrue[i]! - yPred[i]!;
    sums[g]!++;
    sums[g + 1]! += Math.abs(error);
    sums[g + 2]! += error * error;
  }
  const groups = sortedGroups(names).map(([value, id]): [string, GroupErrors] => {
    const count = sums[3 * id]!;
    return [
      value,
      { count, mae: sums[3 * id + 1]! / count, rmse: Math.sqrt(sums[3 * id + 2]! / count) },
    ];
  });
  const metrics: FairnessMetric[] = [
    'mae_difference',
    'mae_ratio',
    'rmse_difference',
    'rmse_ratio',
  ];
  return assemble(
    groups,
    options.minGroupSize ?? 1,
    (gated) => {
      const mae = spread(gated.map((g) => g.mae));
      const rmse = spread(gated.map((g) => g.rmse));
      return {
        mae_difference: mae.difference,
        mae_ratio: mae.ratio,
        rmse_difference: rmse.difference,
        rmse_ratio: rmse.ratio,
      };
    },
    metrics,
  );
}

/**
 * Fairlearn's MetricFrame over a multiclass model's accuracy (sklearn's accuracy_score per group),
 * with its between-group difference (max − min) and ratio (min / max; null when every group's
 * accuracy is 0).
 */
export function multiclassFairness(
  groupValues: readonly string[],
  yTrue: Int32Array,
  yPred: Int32Array,
  options: FairnessOptions = {},
): FairnessReport {
  const n = checkRows(groupValues, yTrue, yPred);
  const { names, ids } = groupIds(groupValues);
  // counts[2 × group + k]: rows, correct rows.
  const counts = new Float64Array(2 * names.length);
  for (let i = 0; i < n; i++) {
    const g = 2 * ids[i]!;
    counts[g]!++;
    if (yTrue[i] === yPred[i]) counts[g + 1]!++;
  }
  const groups = sortedGroups(names).map(([value, id]): [string, GroupAccuracy] => {
    const count = counts[2 * id]!;
    return [value, { count, accuracy: counts[2 * id + 1]! / count }];
  });
  return assemble(
    groups,
    options.minGroupSize ?? 1,
    (gated) => {
      const accuracy = spread(gated.map((g) => g.accuracy));
      return { accuracy_difference: accuracy.difference, accuracy_ratio: accuracy.ratio };
    },
    ['accuracy_difference', 'accuracy_ratio'],
  );
}
