// The degradation rule: the gate's rules on labelled current data against the release's own
// metrics, rollback.max_regression, and rollback.max_extreme_share, on hand-computed values.
import { describe, expect, it } from 'vitest';
import type { ModelshipConfig } from '../../../src/core/config/modelshipConfig.js';
import { judgeDegradation } from '../../../src/core/drift/degradation.js';
import {
  driftMarkdown,
  type DriftReport,
  type PerformanceDrift,
} from '../../../src/core/drift/index.js';
import type { ExtremeOutputs } from '../../../src/core/drift/extremeOutputs.js';

type Config = Pick<ModelshipConfig, 'metrics' | 'rollback'>;

function performance(values: Record<string, [number | null, number | null]>): PerformanceDrift {
  return {
    rows: 300,
    reference_source: 'metrics.json',
    metrics: Object.fromEntries(
      Object.entries(values).map(([name, [reference, current]]) => [
        name,
        {
          reference,
          current,
          change: reference !== null && current !== null ? current - reference : null,
        },
      ]),
    ),
  };
}

const extreme = (share: number): ExtremeOutputs => ({
  range: { min: 0.02, max: 0.97, source: 'the reference profile' },
  rows: 200,
  not_finite: 2,
  below: 0,
  above: share * 200 - 2,
  share,
});

describe('judgeDegradation', () => {
  it("fails a gate rule against the release's metrics; min_improvement is not a production rule", () => {
    const config: Config = {
      metrics: {
        roc_auc: { min: 0.7, max_regression: 0.05 },
        accuracy: { min_improvement: 0.01 },
      },
      rollback: { mode: 'manual', max_regression: { accuracy: 0.1 } },
    };
    // roc_auc 0.80 → 0.72: above the min, but 0.08 worse, past 0.05. accuracy 0.75 → 0.70: 0.05
    // worse, within rollback.max_regression 0.1; its min_improvement is not judged.
    const verdict = judgeDegradation({
      config,
      performance: performance({ roc_auc: [0.8, 0.72], accuracy: [0.75, 0.7] }),
    });
    expect(verdict.degraded).toBe(true);
    expect(verdict.reasons).toEqual([
      'roc_auc regressed by 0.0800 (0.8000 → 0.7200); at most 0.0500 allowed',
    ]);
    expect(verdict.checks.map((c) => [c.kind, c.metric, c.passed])).toEqual([
      ['gate', 'roc_auc', true],
      ['gate', 'roc_auc', false],
      ['regression', 'accuracy', true],
    ]);
    expect(verdict.checks[2]!.message).toBe(
      'accuracy regressed by 0.0500 (0.7500 → 0.7000); within the 0.1000 allowed (rollback.max_regression)',
    );
  });

  it('judges a lower-is-better metric in its own direction', () => {
    const config: Config = {
      metrics: {},
      rollback: { mode: 'auto', max_regression: { log_loss: 0.05 } },
    };
    // 0.45 → 0.52: 0.07 worse.
    const worse = judgeDegradation({
      config,
      performance: performance({ log_loss: [0.45, 0.52] }),
    });
    expect(worse.reasons).toEqual([
      'log_loss regressed by 0.0700 (0.4500 → 0.5200); at most 0.0500 allowed (rollback.max_regression)',
    ]);
    // 0.45 → 0.40: better.
    const better = judgeDegradation({
      config,
      performance: performance({ log_loss: [0.45, 0.4] }),
    });
    expect(better.degraded).toBe(false);
  });

  it('fails an absolute rule without release metrics, and notes the regression rules it could not judge', () => {
    const config: Config = {
      metrics: { roc_auc: { min: 0.7, max_regression: 0.02 } },
      rollback: { mode: 'manual' },
    };
    const verdict = judgeDegradation({
      config,
      performance: performance({ roc_auc: [null, 0.61] }),
    });
    expect(verdict.reasons).toEqual(['roc_auc 0.6100 < 0.7000 (min)']);
    expect(verdict.notes.join(' ')).toContain("the release's metrics.json was not available");
  });

  it('leaves out a metric undefined on the current data, with a note', () => {
    const config: Config = { metrics: { roc_auc: { min: 0.7 } }, rollback: { mode: 'manual' } };
    const verdict = judgeDegradation({
      config,
      performance: performance({ roc_auc: [0.8, null] }),
    });
    expect(verdict).toMatchObject({ degraded: false, checks: [] });
    expect(verdict.notes).toEqual([
      'roc_auc is undefined on the current data (e.g. one class only), so its gate rules were not judged.',
    ]);
  });

  it('fails on a share of extreme outputs above rollback.max_extreme_share, inclusive', () => {
    const config: Config = { metrics: {}, rollback: { mode: 'manual', max_extreme_share: 0.05 } };
    const at = judgeDegradation({ config, extreme: extreme(0.05) });
    expect(at.degraded).toBe(false);
    const over = judgeDegradation({ config, extreme: extreme(0.06) });
    expect(over.reasons).toEqual([
      "6.00% of the current scores (12 of 200) are NaN or outside the release's range [0.0200, 0.9700] (2 not a number, 0 below, 10 above); at most 5.00% allowed (rollback.max_extreme_share)",
    ]);
  });

  it('judges nothing without labels or settings, and says what it could not judge', () => {
    const none = judgeDegradation({ config: { metrics: {}, rollback: { mode: 'manual' } } });
    expect(none).toEqual({ degraded: false, reasons: [], checks: [], notes: [] });
    const unlabelled = judgeDegradation({
      config: {
        metrics: { accuracy: { min: 0.7 } },
        rollback: { mode: 'manual', max_extreme_share: 0.1 },
      },
    });
    expect(unlabelled.degraded).toBe(false);
    expect(unlabelled.notes).toHaveLength(2);
  });
});

describe('the drift markdown of a degraded production', () => {
  it('lists the extreme outputs and each failed rule, escaped', () => {
    const column = {
      type: 'numeric' as const,
      method: 'ks' as const,
      score: 0.6,
      threshold: 0.05,
      drifted: false,
      psi: 0.01,
      approximate: false,
      n_unique: 50,
      reference: { count: 700, nulls: 0, null_share: 0 },
      current: { count: 200, nulls: 0, null_share: 0 },
      shares: { bins: [], reference: [], current: [] },
    };
    const report: DriftReport = {
      dataset_drift: false,
      drift_share: 0,
      share_threshold: 0.5,
      drifted_columns: 0,
      total_columns: 1,
      approximate: true,
      reference: { kind: 'profile', source: 'profile.json', rows: 700 },
      current: { source: 'current.csv', rows: 200 },
      columns: { age: column },
      prediction: { ...column, output: 'P(bad)', extreme_outputs: extreme(0.06) },
      degradation: {
        degraded: true,
        reasons: ['roc_auc 0.6100 < 0.7000 (min)', 'a <b>@team</b> rule'],
        checks: [],
        notes: [],
      },
      notes: [],
      created: '2024-05-01T00:00:00Z',
    };
    const md = driftMarkdown(report);
    expect(md).toContain(
      "Extreme outputs: 6.00% (12 of 200) NaN or outside the reference's range [0.0200, 0.9700]: 2 not a number, 0 below, 10 above.",
    );
    expect(md).toContain(
      '#### ⚠️ Performance degraded\n\n- roc\\_auc 0.6100 &lt; 0.7000 \\(min\\)\n',
    );
    expect(md).not.toContain('<b>');
    expect(md).not.toContain('@team');
  });
});
