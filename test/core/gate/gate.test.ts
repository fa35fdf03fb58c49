import { describe, expect, it } from 'vitest';
import { FAIRNESS_METRICS, METRIC_NAMES } from '../../../src/core/config/modelshipConfig.js';
import {
  evaluateGate,
  NO_BASELINE_NOTE,
  type GateCheck,
  type GateInput,
  type Rule,
} from '../../../src/core/gate/gate.js';
import { isHigherBetter, metricDirection } from '../../../src/core/gate/metricDirection.js';

type Value = number | null;

/** The gate over one metric's rules; baseline `undefined` = no production model. */
function gate(metric: string, rule: Rule, candidate: Value, baseline?: Value) {
  return evaluateGate({
    metricRules: { [metric]: rule },
    fairnessRules: {},
    candidate: { metrics: { [metric]: candidate }, fairness: {} },
    baseline: baseline === undefined ? null : { metrics: { [metric]: baseline }, fairness: {} },
  });
}

/** The single check a one-rule gate yields. */
function only(metric: string, rule: Rule, candidate: Value, baseline?: Value): GateCheck {
  const result = gate(metric, rule, candidate, baseline);
  expect(result.checks).toHaveLength(1);
  expect(result.passed).toBe(result.checks[0]!.passed);
  return result.checks[0]!;
}

/** [passed, message] of a one-rule gate. */
function verdict(metric: string, rule: Rule, candidate: Value, baseline?: Value) {
  const check = only(metric, rule, candidate, baseline);
  return [check.passed, check.message];
}

describe('metric directions', () => {
  it('knows every configurable metric, as the docs list them', () => {
    const higher = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'macro_f1', 'r2'];
    const lower = ['log_loss', 'brier', 'mae', 'mse', 'rmse'];
    for (const m of METRIC_NAMES) {
      expect(metricDirection(m), m).toBe(higher.includes(m) ? 'higher' : 'lower');
    }
    expect([...higher, ...lower].sort()).toEqual([...METRIC_NAMES].sort());
    for (const m of FAIRNESS_METRICS) {
      expect(metricDirection(m), m).toBe(m.endsWith('_ratio') ? 'higher' : 'lower');
    }
    expect(metricDirection('some_new_difference')).toBe('lower');
    expect(metricDirection('latency')).toBeUndefined();
    expect(isHigherBetter('roc_auc')).toBe(true);
    expect(isHigherBetter('equalized_odds_difference')).toBe(false);
    expect(isHigherBetter('latency')).toBe(false);
  });
});

describe('min', () => {
  it('passes at or above the bound and fails below, for a higher-is-better metric', () => {
    expect(verdict('roc_auc', { min: 0.75 }, 0.8122)).toEqual([
      true,
      'roc_auc 0.8122 ≥ 0.7500 (min)',
    ]);
    expect(verdict('roc_auc', { min: 0.75 }, 0.75)).toEqual([
      true,
      'roc_auc 0.7500 ≥ 0.7500 (min)',
    ]);
    expect(verdict('roc_auc', { min: 0.75 }, 0.7)).toEqual([
      false,
      'roc_auc 0.7000 < 0.7500 (min)',
    ]);
  });

  it('means what it says on a lower-is-better metric', () => {
    expect(verdict('log_loss', { min: 0.1 }, 0.05)).toEqual([
      false,
      'log_loss 0.0500 < 0.1000 (min)',
    ]);
    expect(verdict('log_loss', { min: 0.1 }, 0.3)).toEqual([
      true,
      'log_loss 0.3000 ≥ 0.1000 (min)',
    ]);
  });

  it('ignores float noise at the bound', () => {
    const candidate = 0.7 - 0.4; // 0.29999999999999993
    expect(candidate).toBeLessThan(0.3);
    expect(verdict('accuracy', { min: 0.3 }, candidate)).toEqual([
      true,
      'accuracy 0.3000 ≥ 0.3000 (min)',
    ]);
  });

  it('shows more decimals where 4 would hide why it failed', () => {
    expect(verdict('accuracy', { min: 0.8 }, 0.79996)).toEqual([
      false,
      'accuracy 0.79996 < 0.80000 (min)',
    ]);
  });

  it('is checked the same with a baseline, which the check reports', () => {
    const check = only('roc_auc', { min: 0.75 }, 0.7, 0.9);
    expect(check).toEqual({
      metric: 'roc_auc',
      rule: 'min',
      threshold: 0.75,
      candidate: 0.7,
      baseline: 0.9,
      passed: false,
      message: 'roc_auc 0.7000 < 0.7500 (min)',
    });
    expect('attribute' in check).toBe(false);
    expect(gate('roc_auc', { min: 0.75 }, 0.7, 0.9).notes).toEqual([]);
    expect(only('roc_auc', { min: 0.75 }, 0.7).baseline).toBeNull();
  });
});

describe('max', () => {
  it('passes at or below the bound and fails above, for a lower-is-better metric', () => {
    expect(verdict('log_loss', { max: 0.6 }, 0.5)).toEqual([
      true,
      'log_loss 0.5000 ≤ 0.6000 (max)',
    ]);
    expect(verdict('log_loss', { max: 0.6 }, 0.6)).toEqual([
      true,
      'log_loss 0.6000 ≤ 0.6000 (max)',
    ]);
    expect(verdict('log_loss', { max: 0.6 }, 0.61)).toEqual([
      false,
      'log_loss 0.6100 > 0.6000 (max)',
    ]);
    expect(verdict('mse', { max: 0.3 }, 0.1 + 0.2)).toEqual([true, 'mse 0.3000 ≤ 0.3000 (max)']);
  });

  it('means what it says on a higher-is-better metric (a leak check)', () => {
    expect(verdict('roc_auc', { max: 0.99 }, 0.995)).toEqual([
      false,
      'roc_auc 0.9950 > 0.9900 (max)',
    ]);
    expect(verdict('roc_auc', { max: 0.99 }, 0.9)).toEqual([true, 'roc_auc 0.9000 ≤ 0.9900 (max)']);
  });

  it('is checked the same with a baseline', () => {
    expect(verdict('brier', { max: 0.2 }, 0.25, 0.1)).toEqual([
      false,
      'brier 0.2500 > 0.2000 (max)',
    ]);
  });
});

describe('max_regression', () => {
  it('fails beyond the allowed regression with the documented message', () => {
    expect(only('roc_auc', { max_regression: 0.01 }, 0.8122, 0.8284)).toEqual({
      metric: 'roc_auc',
      rule: 'max_regression',
      threshold: 0.01,
      candidate: 0.8122,
      baseline: 0.8284,
      passed: false,
      message: 'roc_auc regressed by 0.0162 (0.8284 → 0.8122); at most 0.0100 allowed',
    });
  });

  it('passes within, at (despite float noise), and after improving, for higher-is-better', () => {
    expect(verdict('roc_auc', { max_regression: 0.01 }, 0.8234, 0.8284)).toEqual([
      true,
      'roc_auc regressed by 0.0050 (0.8284 → 0.8234); within the 0.0100 allowed',
    ]);
    expect(0.85 - 0.84).toBeGreaterThan(0.01);
    expect(verdict('roc_auc', { max_regression: 0.01 }, 0.84, 0.85)).toEqual([
      true,
      'roc_auc regressed by 0.0100 (0.8500 → 0.8400); within the 0.0100 allowed',
    ]);
    expect(verdict('roc_auc', { max_regression: 0.01 }, 0.86, 0.85)).toEqual([
      true,
      'roc_auc improved by 0.0100 (0.8500 → 0.8600); a regression of at most 0.0100 allowed',
    ]);
    expect(verdict('roc_auc', { max_regression: 0 }, 0.85, 0.85)).toEqual([
      true,
      'roc_auc unchanged (0.8500 → 0.8500); a regression of at most 0.0000 allowed',
    ]);
  });

  it('counts an increase as the regression of a lower-is-better metric', () => {
    expect(verdict('log_loss', { max_regression: 0.02 }, 0.53, 0.5)).toEqual([
      false,
      'log_loss regressed by 0.0300 (0.5000 → 0.5300); at most 0.0200 allowed',
    ]);
    expect(verdict('log_loss', { max_regression: 0.02 }, 0.52, 0.5)).toEqual([
      true,
      'log_loss regressed by 0.0200 (0.5000 → 0.5200); within the 0.0200 allowed',
    ]);
    expect(verdict('log_loss', { max_regression: 0.02 }, 0.4, 0.5)).toEqual([
      true,
      'log_loss improved by 0.1000 (0.5000 → 0.4000); a regression of at most 0.0200 allowed',
    ]);
  });

  it('fails any regression when none is allowed, with the decimals that show it', () => {
    expect(verdict('mae', { max_regression: 0 }, 1.00001, 1)).toEqual([
      false,
      'mae regressed by 0.00001 (1.00000 → 1.00001); at most 0.00000 allowed',
    ]);
  });

  it('is skipped without a baseline, and the gate says so', () => {
    const result = gate('roc_auc', { max_regression: 0.01 }, 0.5);
    expect(result).toEqual({ passed: true, checks: [], notes: [NO_BASELINE_NOTE] });
    expect(NO_BASELINE_NOTE).toBe('no production model yet: only absolute thresholds were checked');
  });
});

describe('max_relative_regression', () => {
  it('compares the change with |baseline|, in the metric’s direction', () => {
    expect(verdict('log_loss', { max_relative_regression: 0.05 }, 0.53, 0.5)).toEqual([
      false,
      'log_loss regressed by 6.00% (0.5000 → 0.5300); at most 5.00% allowed',
    ]);
    expect(verdict('log_loss', { max_relative_regression: 0.05 }, 0.52, 0.5)).toEqual([
      true,
      'log_loss regressed by 4.00% (0.5000 → 0.5200); within the 5.00% allowed',
    ]);
    expect(verdict('roc_auc', { max_relative_regression: 0.05 }, 0.7, 0.8)).toEqual([
      false,
      'roc_auc regressed by 12.50% (0.8000 → 0.7000); at most 5.00% allowed',
    ]);
    expect(verdict('roc_auc', { max_relative_regression: 0.05 }, 0.9, 0.8)).toEqual([
      true,
      'roc_auc improved by 12.50% (0.8000 → 0.9000); a relative regression of at most 5.00% allowed',
    ]);
    expect(verdict('rmse', { max_relative_regression: 0 }, 2, 2)).toEqual([
      true,
      'rmse unchanged (2.0000 → 2.0000); a relative regression of at most 0.00% allowed',
    ]);
  });

  it('is inclusive at the bound despite float noise', () => {
    expect((0.8 - 0.76) / 0.8).toBeGreaterThan(0.05);
    expect(verdict('accuracy', { max_relative_regression: 0.05 }, 0.76, 0.8)).toEqual([
      true,
      'accuracy regressed by 5.00% (0.8000 → 0.7600); within the 5.00% allowed',
    ]);
  });

  it('uses the magnitude of a negative baseline', () => {
    expect(verdict('r2', { max_relative_regression: 0.1 }, -0.6, -0.5)).toEqual([
      false,
      'r2 regressed by 20.00% (-0.5000 → -0.6000); at most 10.00% allowed',
    ]);
    expect(verdict('r2', { max_relative_regression: 0.1 }, -0.4, -0.5)).toEqual([
      true,
      'r2 improved by 20.00% (-0.5000 → -0.4000); a relative regression of at most 10.00% allowed',
    ]);
  });

  it('shows more decimals where 2 would hide why it failed', () => {
    expect(verdict('mae', { max_relative_regression: 0.05 }, 1.0500004, 1)).toEqual([
      false,
      'mae regressed by 5.00004% (1.0000 → 1.0500); at most 5.00000% allowed',
    ]);
  });

  it('fails from a baseline of 0 unless the candidate equals it', () => {
    expect(verdict('mae', { max_relative_regression: 0.05 }, 0, 0)).toEqual([
      true,
      'mae unchanged (0.0000 → 0.0000); a relative regression of at most 5.00% allowed',
    ]);
    expect(verdict('mae', { max_relative_regression: 0.05 }, 0.1, 0)).toEqual([
      false,
      'mae changed from a baseline of 0 (0.0000 → 0.1000); a relative change from 0 is ' +
        'undefined, so max_relative_regression 5.00% fails',
    ]);
    // Even an improvement: the relative change is undefined (MLflow's behaviour).
    expect(verdict('r2', { max_relative_regression: 0.05 }, 0.2, 0)).toEqual([
      false,
      'r2 changed from a baseline of 0 (0.0000 → 0.2000); a relative change from 0 is ' +
        'undefined, so max_relative_regression 5.00% fails',
    ]);
    expect(verdict('equalized_odds_difference', { max_relative_regression: 0 }, 1e-13, 0)[0]).toBe(
      true,
    );
  });

  it('is skipped without a baseline', () => {
    expect(gate('log_loss', { max_relative_regression: 0.05 }, 9)).toEqual({
      passed: true,
      checks: [],
      notes: [NO_BASELINE_NOTE],
    });
  });
});

describe('rule sets', () => {
  const rules = { roc_auc: { min: 0.75, max_regression: 0.01 }, log_loss: { max: 0.6 } };

  it('checks every rule of every metric in config order, rules in a fixed order', () => {
    const result = evaluateGate({
      metricRules: {
        log_loss: { max_relative_regression: 0.05, max: 0.6 },
        roc_auc: { max_regression: 0.01, max: 0.99, min: 0.75 },
      },
      fairnessRules: {},
      candidate: { metrics: { roc_auc: 0.8, log_loss: 0.5 }, fairness: {} },
      baseline: { metrics: { roc_auc: 0.8, log_loss: 0.5 }, fairness: {} },
    });
    expect(result.checks.map((c) => `${c.metric} ${c.rule}`)).toEqual([
      'log_loss max',
      'log_loss max_relative_regression',
      'roc_auc min',
      'roc_auc max',
      'roc_auc max_regression',
    ]);
    expect(result.passed).toBe(true);
    expect(result.notes).toEqual([]);
  });

  it('fails the gate when any check fails', () => {
    const result = evaluateGate({
      metricRules: rules,
      fairnessRules: {},
      candidate: { metrics: { roc_auc: 0.8, log_loss: 0.7 }, fairness: {} },
      baseline: null,
    });
    expect(result.checks.map((c) => c.passed)).toEqual([true, false]);
    expect(result.passed).toBe(false);
    expect(result.notes).toEqual([NO_BASELINE_NOTE]);
  });

  it('passes with no rules at all', () => {
    const result = evaluateGate({
      metricRules: {},
      fairnessRules: {},
      candidate: { metrics: { roc_auc: 0.1 }, fairness: {} },
      baseline: null,
    });
    expect(result).toEqual({ passed: true, checks: [], notes: [NO_BASELINE_NOTE] });
  });

  it('fails every rule of a metric missing from the candidate, baseline or not', () => {
    const input: GateInput = {
      metricRules: rules,
      fairnessRules: {},
      candidate: { metrics: { log_loss: 0.5 }, fairness: {} },
      baseline: null,
    };
    const expected = [
      'roc_auc is missing from the candidate, so the min rule (0.7500) fails',
      'roc_auc is missing from the candidate, so the max_regression rule (0.0100) fails',
      'log_loss 0.5000 ≤ 0.6000 (max)',
    ];
    const result = evaluateGate(input);
    expect(result.checks.map((c) => c.message)).toEqual(expected);
    expect(result.checks.map((c) => c.passed)).toEqual([false, false, true]);
    expect(result.checks[0]).toMatchObject({ candidate: null, baseline: null, threshold: 0.75 });
    expect(result.passed).toBe(false);
    const withBaseline = evaluateGate({
      ...input,
      baseline: { metrics: { roc_auc: 0.8, log_loss: 0.5 }, fairness: {} },
    });
    expect(withBaseline.checks.map((c) => c.message)).toEqual(expected);
    expect(withBaseline.checks[0]!.baseline).toBe(0.8);
  });

  it('fails every rule of a null (undefined) or NaN candidate value', () => {
    for (const value of [null, Number.NaN]) {
      expect(verdict('roc_auc', { max_relative_regression: 0.05 }, value)).toEqual([
        false,
        'roc_auc is undefined for the candidate (null), so the max_relative_regression rule ' +
          '(5.00%) fails',
      ]);
      expect(verdict('roc_auc', { min: 0.5 }, value, 0.7)).toEqual([
        false,
        'roc_auc is undefined for the candidate (null), so the min rule (0.5000) fails',
      ]);
    }
  });

  it('skips a change rule, with a note, where the baseline has no value', () => {
    for (const baseline of [null, Number.NaN]) {
      const result = gate('roc_auc', { min: 0.5, max_regression: 0.01 }, 0.8, baseline);
      expect(result.checks.map((c) => c.rule)).toEqual(['min']);
      expect(result.checks[0]!.baseline).toBeNull();
      expect(result.notes).toEqual([
        'roc_auc: the production model has no value, so max_regression was not checked',
      ]);
      expect(result.passed).toBe(true);
    }
    const missing = evaluateGate({
      metricRules: { mae: { max_regression: 1 } },
      fairnessRules: {},
      candidate: { metrics: { mae: 1 }, fairness: {} },
      baseline: { metrics: {}, fairness: {} },
    });
    expect(missing.notes).toEqual([
      'mae: the production model has no value, so max_regression was not checked',
    ]);
  });

  it('refuses a change rule on a metric of unknown direction', () => {
    expect(() => gate('latency', { max_regression: 1 }, 2, 1)).toThrow(/no known direction/);
    expect(verdict('latency', { max: 10 }, 2, 1)).toEqual([true, 'latency 2.0000 ≤ 10.0000 (max)']);
  });
});

describe('fairness rules', () => {
  const candidate = {
    metrics: {},
    fairness: {
      sex: { demographic_parity_ratio: 0.75, equalized_odds_difference: 0.08 },
      age: { demographic_parity_ratio: 0.9, equalized_odds_difference: 0.15 },
    },
  };
  const baseline = {
    metrics: {},
    fairness: {
      sex: { demographic_parity_ratio: 0.78, equalized_odds_difference: 0.05 },
      age: { demographic_parity_ratio: 0.92, equalized_odds_difference: 0.15 },
    },
  };
  const fairnessRules = {
    demographic_parity_ratio: { min: 0.8 },
    equalized_odds_difference: { max: 0.1, max_regression: 0.02 },
  };

  it('applies each rule to every sensitive attribute, one check each', () => {
    const result = evaluateGate({ metricRules: {}, fairnessRules, candidate, baseline });
    expect(result.checks.map((c) => [c.metric, c.attribute, c.rule, c.passed, c.message])).toEqual([
      [
        'demographic_parity_ratio',
        'sex',
        'min',
        false,
        'demographic_parity_ratio for sex 0.7500 < 0.8000 (min)',
      ],
      [
        'demographic_parity_ratio',
        'age',
        'min',
        true,
        'demographic_parity_ratio for age 0.9000 ≥ 0.8000 (min)',
      ],
      [
        'equalized_odds_difference',
        'sex',
        'max',
        true,
        'equalized_odds_difference for sex 0.0800 ≤ 0.1000 (max)',
      ],
      [
        'equalized_odds_difference',
        'sex',
        'max_regression',
        false,
        'equalized_odds_difference for sex regressed by 0.0300 (0.0500 → 0.0800); ' +
          'at most 0.0200 allowed',
      ],
      [
        'equalized_odds_difference',
        'age',
        'max',
        false,
        'equalized_odds_difference for age 0.1500 > 0.1000 (max)',
      ],
      [
        'equalized_odds_difference',
        'age',
        'max_regression',
        true,
        'equalized_odds_difference for age unchanged (0.1500 → 0.1500); ' +
          'a regression of at most 0.0200 allowed',
      ],
    ]);
    expect(result.checks[0]).toEqual({
      metric: 'demographic_parity_ratio',
      attribute: 'sex',
      rule: 'min',
      threshold: 0.8,
      candidate: 0.75,
      baseline: 0.78,
      passed: false,
      message: 'demographic_parity_ratio for sex 0.7500 < 0.8000 (min)',
    });
    expect(result.passed).toBe(false);
  });

  it('runs metric rules first, then fairness rules', () => {
    const result = evaluateGate({
      metricRules: { accuracy: { min: 0.5 } },
      fairnessRules: { demographic_parity_ratio: { min: 0.7 } },
      candidate: { ...candidate, metrics: { accuracy: 0.6 } },
      baseline: null,
    });
    expect(result.checks.map((c) => c.attribute ?? c.metric)).toEqual(['accuracy', 'sex', 'age']);
    expect(result.passed).toBe(true);
  });

  it('skips fairness change rules without a baseline', () => {
    const result = evaluateGate({ metricRules: {}, fairnessRules, candidate, baseline: null });
    expect(result.checks.map((c) => c.rule)).toEqual(['min', 'min', 'max', 'max']);
    expect(result.notes).toEqual([NO_BASELINE_NOTE]);
  });

  it('never passes an undefined (0/0) ratio', () => {
    const result = evaluateGate({
      metricRules: {},
      fairnessRules: { demographic_parity_ratio: { min: 0 }, equalized_odds_ratio: { max: 1 } },
      candidate: {
        metrics: {},
        fairness: { sex: { demographic_parity_ratio: null, equalized_odds_ratio: null } },
      },
      baseline: null,
    });
    expect(result.checks.map((c) => [c.passed, c.message])).toEqual([
      [
        false,
        'demographic_parity_ratio for sex is undefined for the candidate (null), so the min rule ' +
          '(0.0000) fails',
      ],
      [
        false,
        'equalized_odds_ratio for sex is undefined for the candidate (null), so the max rule ' +
          '(1.0000) fails',
      ],
    ]);
    expect(result.passed).toBe(false);
  });

  it('fails an attribute the config names but the candidate lacks', () => {
    const result = evaluateGate({
      metricRules: {},
      fairnessRules: { demographic_parity_ratio: { min: 0.8 } },
      candidate,
      baseline,
      attributes: ['sex', 'region'],
    });
    expect(result.checks.map((c) => [c.attribute, c.passed, c.message])).toEqual([
      ['sex', false, 'demographic_parity_ratio for sex 0.7500 < 0.8000 (min)'],
      [
        'region',
        false,
        'demographic_parity_ratio for region is missing from the candidate, so the min rule ' +
          '(0.8000) fails',
      ],
    ]);
  });

  it('fails a fairness rule when no sensitive attribute was evaluated', () => {
    const result = evaluateGate({
      metricRules: {},
      fairnessRules: { equalized_odds_difference: { max: 0.1, max_relative_regression: 0.1 } },
      candidate: { metrics: {}, fairness: {} },
      baseline: null,
    });
    expect(result.checks).toEqual([
      {
        metric: 'equalized_odds_difference',
        rule: 'max',
        threshold: 0.1,
        candidate: null,
        baseline: null,
        passed: false,
        message:
          'equalized_odds_difference: no sensitive attribute was evaluated, so the max rule ' +
          '(0.1000) fails',
      },
      {
        metric: 'equalized_odds_difference',
        rule: 'max_relative_regression',
        threshold: 0.1,
        candidate: null,
        baseline: null,
        passed: false,
        message:
          'equalized_odds_difference: no sensitive attribute was evaluated, so the ' +
          'max_relative_regression rule (10.00%) fails',
      },
    ]);
    expect(result.passed).toBe(false);
  });

  it('reads a full fairness report, group tables included', () => {
    const report = {
      groups: { a: { count: 1, selection_rate: 1, tpr: 1, fpr: 0, accuracy: 1 } },
      demographic_parity_difference: 0,
      demographic_parity_ratio: 1,
      equalized_odds_difference: 0,
      equalized_odds_ratio: 1,
      equal_opportunity_difference: 0,
    };
    const result = evaluateGate({
      metricRules: {},
      fairnessRules: { equal_opportunity_difference: { max: 0 } },
      candidate: { metrics: {}, fairness: { sex: report } },
      baseline: null,
    });
    expect(result.checks.map((c) => c.message)).toEqual([
      'equal_opportunity_difference for sex 0.0000 ≤ 0.0000 (max)',
    ]);
  });
});
