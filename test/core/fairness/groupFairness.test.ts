import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TASK_FAIRNESS_METRICS } from '../../../src/core/config/modelshipConfig.js';
import { computeSlices, pick, sliceName, worstFirst } from '../../../src/core/evaluation/slices.js';
import {
  multiclassFairness,
  regressionFairness,
} from '../../../src/core/fairness/errorFairness.js';
import { fairnessReport, type FairnessReport } from '../../../src/core/fairness/fairness.js';
import { binaryMetrics } from '../../../src/core/metrics/binary.js';
import { regressionMetrics } from '../../../src/core/metrics/regression.js';
import { expectAllClose } from '../../fixtures/reference/referenceCases.js';

/** Written by test/fixtures/reference/group_fairness_reference.py (numpy and scikit-learn). */
type FairnessCase = {
  name: string;
  task: 'binary' | 'multiclass' | 'regression';
  min_group_size: number;
  groups: string[];
  y_true: number[];
  y_pred: number[];
  expected: Record<string, unknown> & {
    groups: Record<string, Record<string, number>>;
    small_groups: string[];
  };
};
type SliceExpected = {
  columns: string[];
  values: string[];
  count: number;
  binary: Record<string, number | null>;
  regression: Record<string, number | null>;
};
const reference = JSON.parse(
  readFileSync(new URL('../../fixtures/reference/group_fairness.json', import.meta.url), 'utf8'),
) as {
  fairness: FairnessCase[];
  slices: {
    threshold: number;
    region: string[];
    band: string[];
    y_true: number[];
    scores: number[];
    values: number[];
    predicted: number[];
    crosses: string[][];
    expected: SliceExpected[];
  };
};

const TASK = {
  binary: 'binary-classification',
  multiclass: 'multiclass-classification',
  regression: 'regression',
} as const;

function fairnessOf(c: FairnessCase): FairnessReport {
  const options = { minGroupSize: c.min_group_size };
  if (c.task === 'regression')
    return regressionFairness(
      c.groups,
      Float64Array.from(c.y_true),
      Float64Array.from(c.y_pred),
      options,
    );
  if (c.task === 'multiclass')
    return multiclassFairness(
      c.groups,
      Int32Array.from(c.y_true),
      Int32Array.from(c.y_pred),
      options,
    );
  return fairnessReport(c.groups, Uint8Array.from(c.y_true), Uint8Array.from(c.y_pred), options);
}

describe("fairness per group against Fairlearn's MetricFrame definitions (numpy, sklearn)", () => {
  for (const c of reference.fairness) {
    it(c.name, () => {
      const report = fairnessOf(c);
      const disparities = TASK_FAIRNESS_METRICS[TASK[c.task]];
      expect(Object.keys(report).sort()).toEqual(
        ['groups', 'min_group_size', 'small_groups', ...disparities].sort(),
      );
      expect(report.min_group_size).toBe(c.min_group_size);
      expect(report.small_groups).toEqual(c.expected.small_groups);
      expect(Object.keys(report.groups)).toEqual(Object.keys(c.expected.groups));
      for (const [group, metrics] of Object.entries(c.expected.groups))
        expectAllClose(report.groups[group]!, metrics, Object.keys(metrics), `${c.name} ${group}`);
      expectAllClose(report, c.expected, disparities, c.name);
    });
  }

  it('leaving a small group out changes the disparities the gate reads', () => {
    const all = reference.fairness.find((c) => c.name === 'regression_min_1')!;
    const gated = reference.fairness.find((c) => c.name === 'regression_min_30')!;
    expect(fairnessOf(gated).mae_difference).toBeLessThan(fairnessOf(all).mae_difference! / 2);
    expect(fairnessOf(gated).groups.west!.count).toBe(11);
  });

  it('keeps a single group with nothing left out as Fairlearn does (difference 0, ratio 1)', () => {
    const report = multiclassFairness(['a', 'a'], Int32Array.of(0, 1), Int32Array.of(0, 0), {
      minGroupSize: 2,
    });
    expect(report.small_groups).toEqual([]);
    expect(report.accuracy_difference).toBe(0);
    expect(report.accuracy_ratio).toBe(1);
  });

  it('refuses inputs of different lengths with a ModelshipError', () => {
    expect(() => regressionFairness(['a'], Float64Array.of(1, 2), Float64Array.of(1))).toThrow(
      'fairness: inputs differ in length (1 vs 2 vs 1)',
    );
  });
});

describe('slices against scikit-learn on each slice', () => {
  const s = reference.slices;
  const extras = { region: s.region, band: s.band };
  const yTrue = Uint8Array.from(s.y_true);
  const scores = Float64Array.from(s.scores);
  const values = Float64Array.from(s.values);
  const predicted = Float64Array.from(s.predicted);

  it('binary metrics per slice of a column and of a cross', () => {
    const slices = computeSlices(extras, s.crosses, 30, (rows) => ({
      ...binaryMetrics(pick(yTrue, rows), pick(scores, rows), s.threshold),
    }));
    expect(slices.map((x) => [x.columns, x.values, x.count])).toEqual(
      s.expected.map((x) => [x.columns, x.values, x.count]),
    );
    slices.forEach((slice, i) => {
      const expected = s.expected[i]!;
      expectAllClose(
        slice.metrics,
        expected.binary,
        Object.keys(expected.binary),
        sliceName(slice),
      );
      expect(slice.gated).toBe(expected.count >= 30);
    });
    expect(slices.some((x) => !x.gated)).toBe(true);
  });

  it('regression metrics per slice', () => {
    const slices = computeSlices(extras, s.crosses, 1, (rows) => ({
      ...regressionMetrics(pick(values, rows), pick(predicted, rows)),
    }));
    slices.forEach((slice, i) => {
      const expected = s.expected[i]!.regression;
      expectAllClose(slice.metrics, expected, Object.keys(expected), sliceName(slice));
    });
  });

  it('orders slices worst first in the metric’s direction, ungated and undefined last', () => {
    const slice = (v: string, metric: number | null, gated = true) => ({
      columns: ['c'],
      values: [v],
      count: 1,
      metrics: { roc_auc: metric, rmse: metric },
      gated,
    });
    const slices = [
      slice('a', 0.8),
      slice('b', null),
      slice('c', 0.6),
      slice('d', 0.1, false),
      slice('e', 0.7),
    ];
    expect(worstFirst(slices, 'roc_auc').map((x) => x.values[0])).toEqual([
      'c',
      'e',
      'a',
      'b',
      'd',
    ]);
    expect(worstFirst(slices, 'rmse').map((x) => x.values[0])).toEqual(['a', 'e', 'c', 'b', 'd']);
  });

  it('names a slice by its columns and values', () => {
    expect(sliceName({ columns: ['region', 'band'], values: ['north', '50+'] })).toBe(
      'region = north, band = 50+',
    );
  });
});
