import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import { fairnessReport, type FairnessReport } from '../../../src/core/fairness/fairness.js';
import { predictLabels } from '../../../src/core/metrics/binary.js';
import {
  expectAllClose,
  reference,
  type FairnessExpected,
} from '../../fixtures/reference/referenceCases.js';

const DISPARITIES = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
];
const RATES = ['count', 'selection_rate', 'tpr', 'fpr', 'accuracy'];

function expectReport(actual: FairnessReport, expected: FairnessExpected, what: string): void {
  expect(Object.keys(actual.groups), `${what} groups`).toEqual(Object.keys(expected.groups));
  for (const [value, rates] of Object.entries(expected.groups)) {
    expectAllClose(actual.groups[value]!, rates, RATES, `${what} ${value}`);
  }
  expect(Object.keys(actual).sort()).toEqual(
    ['groups', 'min_group_size', 'small_groups', ...DISPARITIES].sort(),
  );
  expectAllClose(actual, expected, DISPARITIES, what);
}

describe('fairnessReport against Fairlearn definitions over sklearn', () => {
  for (const c of reference.fairness) {
    it(c.name, () => {
      const report = fairnessReport(c.groups, Uint8Array.from(c.y_true), Uint8Array.from(c.y_pred));
      expectReport(report, c.expected, c.name);
    });
  }

  for (const c of reference.binary.filter((b) => b.fairness)) {
    for (const [attribute, { values, expected }] of Object.entries(c.fairness!)) {
      it(`${c.name} by ${attribute}`, () => {
        const yPred = predictLabels(Float64Array.from(c.scores), c.threshold);
        const report = fairnessReport(values, Uint8Array.from(c.y_true), yPred);
        expectReport(report, expected, `${c.name} ${attribute}`);
      });
    }
  }
});

describe('fairnessReport edges', () => {
  it('gives tpr 0 to a group without positives and fpr 0 to one without negatives', () => {
    const report = fairnessReport(
      ['a', 'a', 'b', 'b'],
      Uint8Array.of(0, 0, 1, 1),
      Uint8Array.of(1, 0, 1, 0),
    );
    expect(report.groups).toEqual({
      a: { count: 2, selection_rate: 0.5, tpr: 0, fpr: 0.5, accuracy: 0.5 },
      b: { count: 2, selection_rate: 0.5, tpr: 0.5, fpr: 0, accuracy: 0.5 },
    });
    expect(report.equalized_odds_difference).toBe(0.5);
    expect(report.equalized_odds_ratio).toBe(0);
    expect(report.demographic_parity_ratio).toBe(1);
  });

  it('reports 0/0 ratios as null, a zero minimum as 0', () => {
    const none = fairnessReport(['a', 'b'], Uint8Array.of(1, 0), Uint8Array.of(0, 0));
    expect(none.demographic_parity_ratio).toBeNull();
    expect(none.equalized_odds_ratio).toBeNull();
    expect(none.demographic_parity_difference).toBe(0);
    const some = fairnessReport(['a', 'b'], Uint8Array.of(1, 1), Uint8Array.of(0, 1));
    expect(some.demographic_parity_ratio).toBe(0);
  });

  it('sorts groups by value and keeps odd names as plain groups', () => {
    const report = fairnessReport(
      ['z', '__proto__', 'a', 'z'],
      Uint8Array.of(1, 0, 1, 0),
      Uint8Array.of(1, 0, 0, 0),
    );
    expect(Object.keys(report.groups)).toEqual(['__proto__', 'a', 'z']);
    expect(Object.getPrototypeOf(report.groups)).toBe(Object.prototype);
    expect(report.groups['__proto__']!.count).toBe(1);
    expect(JSON.parse(JSON.stringify(report)).groups.__proto__.count).toBe(1);
  });

  it('rejects inputs of different length and empty inputs', () => {
    expect(() => fairnessReport(['a'], Uint8Array.of(1, 0), Uint8Array.of(1, 0))).toThrow(
      ModelshipError,
    );
    expect(() => fairnessReport([], new Uint8Array(0), new Uint8Array(0))).toThrow(/no rows/);
  });
});
