/** Which way a metric improves (docs/evaluate-and-gate.md). */
export type Direction = 'higher' | 'lower';

const HIGHER_IS_BETTER = new Set([
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'macro_f1',
  'r2',
  'demographic_parity_ratio',
  'equalized_odds_ratio',
]);
const LOWER_IS_BETTER = new Set(['log_loss', 'brier', 'mae', 'mse', 'rmse']);

/** The direction of a metric or fairness metric, or undefined for a name Modelship does not know. */
export function metricDirection(metric: string): Direction | undefined {
  // Fairlearn's ratios are min / max over groups: 1 is parity, whatever the metric.
  if (HIGHER_IS_BETTER.has(metric) || metric.endsWith('_ratio')) return 'higher';
  if (LOWER_IS_BETTER.has(metric) || metric.endsWith('_difference')) return 'lower';
  return undefined;
}

/** Whether higher values of a metric are better (false for lower-is-better and unknown names). */
export function isHigherBetter(metric: string): boolean {
  return metricDirection(metric) === 'higher';
}
