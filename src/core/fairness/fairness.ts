import { ModelshipError } from '../errors.js';

/** One group's rates (REFERENCE.md, Fairness). */
export type GroupRates = {
  count: number;
  selection_rate: number;
  tpr: number;
  fpr: number;
  accuracy: number;
};

/** Fairness of one sensitive attribute: per-group rates and Fairlearn's between-group metrics. */
export type FairnessReport = {
  groups: Record<string, GroupRates>;
  demographic_parity_difference: number;
  /** null when every group's selection rate is 0 (0/0): undefined, and never passes a gate. */
  demographic_parity_ratio: number | null;
  equalized_odds_difference: number;
  /** null when the TPR or the FPR ratio is 0/0. */
  equalized_odds_ratio: number | null;
  equal_opportunity_difference: number;
};

/** Between-group spread of a rate: max − min, and min / max (null for 0/0). */
function spread(values: readonly number[]): { difference: number; ratio: number | null } {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  // Rates are ≥ 0, so a zero maximum means every group is 0: the ratio is 0/0.
  return { difference: high - low, ratio: high === 0 ? null : low / high };
}

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
): FairnessReport {
  const n = groupValues.length;
  if (yTrue.length !== n || yPred.length !== n) {
    throw new ModelshipError(
      `fairness: inputs differ in length (${n} vs ${yTrue.length} vs ${yPred.length})`,
    );
  }
  if (n === 0) throw new ModelshipError('fairness: no rows to evaluate');

  // cells[4 × group + 2 × truth + prediction]: tn, fp, fn, tp of each group in first-seen order.
  const index = new Map<string, number>();
  const cells: number[] = [];
  let last: string | undefined;
  let lastGroup = 0;
  for (let i = 0; i < n; i++) {
    const value = groupValues[i]!;
    if (value !== last) {
      let group = index.get(value);
      if (group === undefined) {
        group = index.size;
        index.set(value, group);
        cells.push(0, 0, 0, 0);
      }
      last = value;
      lastGroup = group;
    }
    cells[4 * lastGroup + (yTrue[i] !== 0 ? 2 : 0) + (yPred[i] !== 0 ? 1 : 0)]!++;
  }

  const values = [...index.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const rates = values.map((value): [string, GroupRates] => {
    const g = 4 * index.get(value)!;
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

  const selection = spread(rates.map(([, r]) => r.selection_rate));
  const tpr = spread(rates.map(([, r]) => r.tpr));
  const fpr = spread(rates.map(([, r]) => r.fpr));
  return {
    // fromEntries defines own properties, so a group named "__proto__" stays a group.
    groups: Object.fromEntries(rates),
    demographic_parity_difference: selection.difference,
    demographic_parity_ratio: selection.ratio,
    equalized_odds_difference: Math.max(tpr.difference, fpr.difference),
    equalized_odds_ratio:
      tpr.ratio === null || fpr.ratio === null ? null : Math.min(tpr.ratio, fpr.ratio),
    equal_opportunity_difference: tpr.difference,
  };
}
