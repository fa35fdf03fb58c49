import type { FairnessMetric } from './fairnessMetric.js';
import { checkRows, groupIds, sortedGroups, splitBySize, spread } from './groups.js';

/** One group's rates for binary classification (docs/evaluate-and-gate.md). */
export type GroupRates = {
  count: number;
  selection_rate: number;
  tpr: number;
  fpr: number;
  accuracy: number;
};

/** One group's accuracy (multiclass) or errors (regression), as MetricFrame's by_group. */
export type GroupAccuracy = { count: number; accuracy: number };
export type GroupErrors = { count: number; mae: number; rmse: number };
/** Any task's group metrics: `count` and the task's own (GROUP_COLUMNS names them). */
export type GroupMetrics = { count: number } & Partial<
  Omit<GroupRates, 'count'> & Omit<GroupErrors, 'count'>
>;

/** The per-group columns of each task's fairness, in table order, with their headings. */
export const GROUP_COLUMNS = {
  binary: [
    ['selection_rate', 'Selection rate'],
    ['tpr', 'TPR'],
    ['fpr', 'FPR'],
    ['accuracy', 'Accuracy'],
  ],
  multiclass: [['accuracy', 'Accuracy']],
  regression: [
    ['mae', 'MAE'],
    ['rmse', 'RMSE'],
  ],
} as const satisfies Record<string, readonly (readonly [keyof GroupMetrics, string])[]>;

/** The group columns a report has: those of its first group's task. */
export function groupColumns(
  report: FairnessReport,
): readonly (readonly [keyof GroupMetrics, string])[] {
  const first = Object.values(report.groups)[0];
  if (first?.selection_rate !== undefined) return GROUP_COLUMNS.binary;
  if (first?.mae !== undefined) return GROUP_COLUMNS.regression;
  return GROUP_COLUMNS.multiclass;
}

/**
 * Fairness of one sensitive attribute: per-group metrics and Fairlearn's between-group metrics of
 * the task (FAIRNESS_METRICS). A disparity is null where it is undefined: a ratio of 0/0, or fewer
 * than two groups of min_group_size rows once smaller ones were left out; null never passes a gate.
 */
export type FairnessReport = {
  groups: Record<string, GroupMetrics>;
  /** Groups with fewer rows than this are shown but left out of the disparities (absent in older reports). */
  min_group_size?: number;
  /** The groups left out of the disparities, sorted by value. */
  small_groups?: string[];
} & { [K in FairnessMetric]?: number | null };

export interface FairnessOptions {
  /** Default 1: every group counts. */
  minGroupSize?: number;
}

/** The report of groups whose metrics are already known, with `spreads` over the gated ones. */
export function assemble<T extends GroupMetrics>(
  groups: [string, T][],
  minGroupSize: number,
  disparities: (gated: T[]) => Partial<Record<FairnessMetric, number | null>>,
  names: readonly FairnessMetric[],
): FairnessReport {
  const { gated, small } = splitBySize(groups, minGroupSize);
  const values = gated ? disparities(gated) : Object.fromEntries(names.map((m) => [m, null]));
  // fromEntries defines own properties, so a group named "__proto__" stays a group.
  return {
    groups: Object.fromEntries(groups),
    min_group_size: minGroupSize,
    small_groups: small,
    ...values,
  };
}

const BINARY_METRICS = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
] as const satisfies readonly FairnessMetric[];

/**
 * Fairlearn's metrics over the groups of one sensitive attribute (MetricFrame with
 * `method='between_groups'`), for binary labels where any non-zero value is the positive class.
 * A group without positives gets TPR 0 and one without negatives FPR 0, as Fairlearn gets through
 * sklearn's normalised confusion matrix. equalized_odds_ratio is null when either ratio is 0/0
 * (Fairlearn's Python `min` over [TPR ratio, FPR ratio] returns NaN or not depending on order).
 * Groups are sorted by value.
 */
export function fairnessReport(
  groupValues: readonly string[],
  yTrue: Uint8Array,
  yPred: Uint8Array,
  options: FairnessOptions = {},
): FairnessReport {
  const n = checkRows(groupValues, yTrue, yPred);
  const { names, ids } = groupIds(groupValues);
  // cells[4 × group + 2 × truth + prediction]: tn, fp, fn, tp of each group.
  const cells = new Float64Array(4 * names.length);
  for (let i = 0; i < n; i++)
    cells[4 * ids[i]! + (yTrue[i] !== 0 ? 2 : 0) + (yPred[i] !== 0 ? 1 : 0)]!++;

  const rates = sortedGroups(names).map(([value, id]): [string, GroupRates] => {
    const g = 4 * id;
    const tn = cells[g]!;
    const fp = cells[g + 1]!;
    const fn = cells[g + 2]!;
    const tp = cells[g + 3]!;
    const count = tn + fp + fn + tp;
    return [
      value,
      {
        count,
        selection_rate: (tp + fp) / count,
        tpr: tp + fn === 0 ? 0 : tp / (tp + fn),
        fpr: fp + tn === 0 ? 0 : fp / (fp + tn),
        accuracy: (tp + tn) / count,
      },
    ];
  });

  return assemble(
    rates,
    options.minGroupSize ?? 1,
    (gated) => {
      const selection = spread(gated.map((r) => r.selection_rate));
      const tpr = spread(gated.map((r) => r.tpr));
      const fpr = spread(gated.map((r) => r.fpr));
      return {
        demographic_parity_difference: selection.difference,
        demographic_parity_ratio: selection.ratio,
        equalized_odds_difference: Math.max(tpr.difference, fpr.difference),
        equalized_odds_ratio:
          tpr.ratio === null || fpr.ratio === null ? null : Math.min(tpr.ratio, fpr.ratio),
        equal_opportunity_difference: tpr.difference,
      };
    },
    BINARY_METRICS,
  );
}
