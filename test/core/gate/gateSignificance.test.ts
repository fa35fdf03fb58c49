import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateValues, type Rule } from '../../../src/core/gate/gate.js';
import {
  binaryStatistic,
  metricIntervals,
  type Interval,
  type IntervalSource,
} from '../../../src/core/stats/index.js';
import { seededRandom } from '../../support/prng.js';

/** A source that serves fixed intervals at any confidence, and records what was asked. */
function source(
  value: Record<string, [number, number]>,
  change: Record<string, [number, number]> = {},
): IntervalSource & { asked: number[] } {
  const asked: number[] = [];
  return {
    asked,
    interval(kind, metric, _attribute, confidence): Interval | null {
      asked.push(confidence);
      const ends = (kind === 'value' ? value : change)[metric];
      return ends
        ? { low: ends[0], high: ends[1], confidence, method: 'bootstrap-percentile' }
        : null;
    },
  };
}

function gate(
  rules: Record<string, Rule>,
  candidate: Record<string, number>,
  baseline: Record<string, number> | null,
  intervals?: IntervalSource,
  significance?: number,
) {
  const values: GateValues = {
    metrics: candidate,
    fairness: {},
    ...(intervals ? { intervals } : {}),
  };
  return evaluateGate({
    metricRules: rules,
    fairnessRules: {},
    candidate: values,
    baseline: baseline && { metrics: baseline, fairness: {} },
    ...(significance === undefined ? {} : { significance }),
  });
}

describe('significance-aware rules', () => {
  it('min fails only when the whole interval is below it', () => {
    const rules = { roc_auc: { min: 0.75, significance: 0.05 } };
    const straddles = gate(rules, { roc_auc: 0.74 }, null, source({ roc_auc: [0.7, 0.78] }));
    expect(straddles.passed).toBe(true);
    expect(straddles.checks[0]).toMatchObject({ significance: 0.05, significant: false });
    expect(straddles.checks[0]!.message).toBe(
      'roc_auc 0.7400 (95% bootstrap CI 0.7000–0.7800) misses the min 0.7500, not significant: the interval reaches it, so it passes (significance 0.05)',
    );
    const below = gate(rules, { roc_auc: 0.7 }, null, source({ roc_auc: [0.66, 0.74] }));
    expect(below.passed).toBe(false);
    expect(below.checks[0]!.message).toContain('the whole interval is below the min 0.7500');
    expect(below.checks[0]!.message).toContain('0.6600–0.7400');
  });

  it('max fails only when the whole interval is above it', () => {
    const rules = { log_loss: { max: 0.5, significance: 0.1 } };
    const asked = source({ log_loss: [0.45, 0.55] });
    expect(gate(rules, { log_loss: 0.52 }, null, asked).passed).toBe(true);
    expect(asked.asked).toEqual([0.9]);
    expect(gate(rules, { log_loss: 0.6 }, null, source({ log_loss: [0.51, 0.7] })).passed).toBe(
      false,
    );
  });

  it('a regression that may be noise passes and is marked not significant', () => {
    const rules = { roc_auc: { max_regression: 0 } };
    const noise = source({}, { roc_auc: [-0.02, 0.01] });
    const result = gate(rules, { roc_auc: 0.76 }, { roc_auc: 0.765 }, noise, 0.05);
    expect(result.passed).toBe(true);
    expect(result.checks[0]!.significant).toBe(false);
    expect(result.checks[0]!.message).toBe(
      'roc_auc changed by −0.0050 (95% bootstrap CI −0.0200…+0.0100; 0.7650 → 0.7600): not significant; a regression of at most 0.0000 allowed (significance 0.05)',
    );
    // Without significance the same numbers fail, as they always did.
    expect(gate(rules, { roc_auc: 0.76 }, { roc_auc: 0.765 }, noise).passed).toBe(false);
  });

  it('a regression within the allowance is not called noise when its interval reaches beyond', () => {
    const rules = { roc_auc: { max_regression: 0.02, significance: 0.05 } };
    const wide = source({}, { roc_auc: [-0.03, 0.012] });
    const result = gate(rules, { roc_auc: 0.7658 }, { roc_auc: 0.7746 }, wide);
    expect(result.passed).toBe(true);
    expect(result.checks[0]!.significant).toBe(false);
    expect(result.checks[0]!.message).toBe(
      'roc_auc changed by −0.0088 (95% bootstrap CI −0.0300…+0.0120; 0.7746 → 0.7658); a regression of at most 0.0200 allowed (significance 0.05)',
    );
  });

  it('a regression whose whole interval is beyond the allowance fails', () => {
    const rules = { roc_auc: { max_regression: 0.01, significance: 0.05 } };
    const result = gate(
      rules,
      { roc_auc: 0.7 },
      { roc_auc: 0.75 },
      source({}, { roc_auc: [-0.07, -0.03] }),
    );
    expect(result.passed).toBe(false);
    expect(result.checks[0]!.significant).toBe(true);
    expect(result.checks[0]!.message).toBe(
      'roc_auc changed by −0.0500 (95% bootstrap CI −0.0700…−0.0300; 0.7500 → 0.7000): a significant regression, the whole interval beyond the 0.0100 allowed (significance 0.05)',
    );
    // Within the allowance at one end (−0.005 regresses less than 0.01): passes.
    const edge = source({}, { roc_auc: [-0.03, -0.005] });
    expect(gate(rules, { roc_auc: 0.73 }, { roc_auc: 0.75 }, edge).passed).toBe(true);
  });

  it('for a lower-is-better metric a rise is the regression', () => {
    const rules = { log_loss: { max_regression: 0, significance: 0.05 } };
    const up = source({}, { log_loss: [0.01, 0.05] });
    expect(gate(rules, { log_loss: 0.53 }, { log_loss: 0.5 }, up).passed).toBe(false);
    const down = source({}, { log_loss: [-0.05, -0.01] });
    expect(gate(rules, { log_loss: 0.47 }, { log_loss: 0.5 }, down).passed).toBe(true);
  });

  it('max_relative_regression divides the change interval by |baseline|', () => {
    const rules = { f1: { max_relative_regression: 0.05, significance: 0.05 } };
    // −0.06 / 0.8 = 7.5% worse at best: beyond 5%.
    const beyond = source({}, { f1: [-0.1, -0.06] });
    expect(gate(rules, { f1: 0.72 }, { f1: 0.8 }, beyond).passed).toBe(false);
    const within = source({}, { f1: [-0.1, -0.03] });
    expect(gate(rules, { f1: 0.72 }, { f1: 0.8 }, within).passed).toBe(true);
  });

  it('the rule’s own significance wins over the gate-wide one', () => {
    const asked = source({ f1: [0.6, 0.7] });
    gate({ f1: { min: 0.5, significance: 0.2 } }, { f1: 0.65 }, null, asked, 0.05);
    expect(asked.asked).toEqual([0.8]);
  });

  it('min_improvement requires the whole change interval above it', () => {
    const rules = { accuracy: { min_improvement: 0 } };
    const maybe = source({}, { accuracy: [-0.01, 0.03] });
    const result = gate(rules, { accuracy: 0.81 }, { accuracy: 0.8 }, maybe);
    expect(result.passed).toBe(false);
    expect(result.checks[0]!.message).toContain('not a significant improvement of at least 0.0000');
    expect(maybe.asked).toEqual([0.95]);
    const better = source({}, { accuracy: [0.005, 0.03] });
    expect(gate(rules, { accuracy: 0.82 }, { accuracy: 0.8 }, better).passed).toBe(true);
    const enough = { accuracy: { min_improvement: 0.01, significance: 0.1 } };
    expect(gate(enough, { accuracy: 0.82 }, { accuracy: 0.8 }, better).passed).toBe(false);
  });

  it('min_improvement is not checked before the first release', () => {
    const result = gate({ accuracy: { min_improvement: 0 } }, { accuracy: 0.8 }, null, source({}));
    expect(result.checks).toEqual([]);
    expect(result.passed).toBe(true);
  });

  it('a significance without intervals fails the rule and says where intervals come from', () => {
    const result = gate({ f1: { min: 0.5, significance: 0.05 } }, { f1: 0.6 }, null);
    expect(result.passed).toBe(false);
    expect(result.checks[0]!.message).toBe(
      'f1 has no 95% interval, so the min rule (0.5000, significance 0.05) fails; intervals come from evaluate with intervals.replicates above 0, at confidence 1 − significance',
    );
  });

  it('rules without significance behave as before and carry no interval', () => {
    const result = gate(
      { f1: { min: 0.7, max_regression: 0.01 } },
      { f1: 0.69 },
      { f1: 0.71 },
      source({ f1: [0.6, 0.8] }, { f1: [-0.05, 0.01] }),
    );
    expect(result.passed).toBe(false);
    expect(result.checks.map((c) => c.interval)).toEqual([undefined, undefined]);
  });
});

describe('the gate on real intervals', () => {
  it('never fails a candidate identical to production, at any significance', () => {
    const random = seededRandom(3);
    const rows = 400;
    const yTrue = Uint8Array.from({ length: rows }, () => (random() < 0.4 ? 1 : 0));
    const scores = Float64Array.from(yTrue, (y) => Math.min(1, 0.3 * y + 0.7 * random()));
    const stat = binaryStatistic(yTrue, scores, 0.5);
    const intervals = metricIntervals(
      rows,
      stat,
      stat,
      { replicates: 200, seed: 9 },
      {
        yTrue,
        candidate: scores,
        baseline: scores,
      },
    );
    const report = intervals.report(0.95);
    const metrics = Object.fromEntries(Object.keys(report.metrics).map((m) => [m, 0.5] as const));
    const rules: Record<string, Rule> = {};
    for (const metric of Object.keys(metrics))
      rules[metric] = { max_regression: 0, max_relative_regression: 0 };
    for (const significance of [undefined, 0.01, 0.05, 0.5]) {
      const result = gate(rules, metrics, metrics, intervals, significance);
      expect(result.passed).toBe(true);
      expect(result.checks).toHaveLength(2 * Object.keys(metrics).length);
    }
  });
});
