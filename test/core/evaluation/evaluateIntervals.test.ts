import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../../src/core/evaluation/evaluate.js';
import { readGateReport } from '../../../src/core/gate/gateReport.js';
import { evaluateGate } from '../../../src/core/gate/gate.js';
import { evaluationMarkdown } from '../../../src/core/report/evaluationMarkdown.js';
import { evaluationText } from '../../../src/core/report/evaluationText.js';
import { changeWithInterval, valueWithInterval } from '../../../src/core/report/intervalFormat.js';
import { trainModels, writeProject, type TrainedModels } from '../../support/evaluateProject.js';
import { useTempDir } from '../../support/tempDir.js';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';

const dir = useTempDir();
let models: TrainedModels;

/** The example project with extra modelship.yml settings merged in. */
function project(extra: Record<string, unknown>, name: string): string {
  const file = writeProject(dir, { model: models.candidate, file: `${name}.yml` });
  const config = { ...(parse(readFileSync(file, 'utf8')) as object), ...extra };
  writeFileSync(file, stringify(config));
  return file;
}

beforeAll(async () => {
  models = await trainModels(join(dir, 'models'));
});

describe('intervals in the evaluate report', () => {
  it('carries the method, replicates, seed, confidence and paired changes, reproducibly', async () => {
    const config = loadConfig(project({ intervals: { replicates: 300, seed: 17 } }, 'seeded'));
    const baseline = { path: models.baseline, label: 'production' };
    const report = await evaluate({ config, baseline });
    const intervals = report.intervals!;
    expect(intervals).toMatchObject({ confidence: 0.95, replicates: 300, seed: 17 });
    expect(intervals.metrics.roc_auc).toMatchObject({ method: 'delong' });
    expect(intervals.metrics.roc_auc!.change!.p_value).toBeGreaterThan(0);
    for (const metric of ['accuracy', 'precision', 'recall', 'f1', 'log_loss', 'brier']) {
      const entry = intervals.metrics[metric]!;
      expect(entry.method).toBe('bootstrap-percentile');
      expect(entry.replicates).toBe(300);
      expect(entry.low!).toBeLessThanOrEqual(report.metrics[metric]!);
      expect(entry.high!).toBeGreaterThanOrEqual(report.metrics[metric]!);
      expect(entry.change!.value).toBeCloseTo(
        report.metrics[metric]! - report.baseline!.metrics[metric]!,
        12,
      );
    }
    for (const attribute of ['personal_status', 'foreign_worker'])
      expect(intervals.fairness[attribute]!.equalized_odds_difference!.method).toBe(
        'bootstrap-percentile',
      );
    // The same seed, rows and models: the same intervals.
    const again = await evaluate({ config, baseline });
    expect(again.intervals).toEqual(intervals);

    const markdown = evaluationMarkdown(report);
    expect(markdown).toContain(valueWithInterval(report.metrics.f1!, intervals.metrics.f1));
    expect(markdown).toMatch(/\d\.\d{4} \(\d\.\d+–\d\.\d+\)/);
    expect(markdown).toContain(
      "95% intervals: roc_auc by DeLong's method, the others by a paired bootstrap of the holdout rows (percentile, 300 resamples, seed 17).",
    );
    expect(evaluationText(report)).toContain('seed 17');

    // The gate reads the stored intervals back from the JSON report.
    const file = join(dir, 'report.json');
    writeFileSync(file, JSON.stringify(report));
    const read = readGateReport(file);
    const gate = evaluateGate({
      metricRules: { f1: { min: report.metrics.f1! + 0.001, significance: 0.05 } },
      fairnessRules: {},
      candidate: read.candidate,
      baseline: read.baseline,
    });
    expect(gate.passed).toBe(true);
    expect(gate.checks[0]!.interval).toMatchObject({
      low: intervals.metrics.f1!.low,
      high: intervals.metrics.f1!.high,
    });
    const other = evaluateGate({
      metricRules: { f1: { min: 0.5, significance: 0.1 } },
      fairnessRules: {},
      candidate: read.candidate,
      baseline: read.baseline,
    });
    expect(other.checks[0]!.message).toContain('has no 90% interval');
  });

  it('replicates: 0 leaves intervals out, and the report reads as before', async () => {
    const config = loadConfig(project({ intervals: { replicates: 0 } }, 'off'));
    const report = await evaluate({ config });
    expect(report.intervals).toBeUndefined();
    expect(evaluationMarkdown(report)).not.toContain('intervals:');
  });

  it('a gate-wide significance lets noise pass the regression rules', async () => {
    const rules = { metrics: { accuracy: { max_regression: 0 }, f1: { max_regression: 0 } } };
    // The baseline against itself: every change is exactly 0, so nothing fails.
    const config = loadConfig(
      project({ ...rules, intervals: { significance: 0.05, replicates: 200 } }, 'noise'),
    );
    const report = await evaluate({
      config,
      model: models.baseline,
      baseline: { path: models.baseline, label: 'production' },
    });
    expect(report.gate.passed).toBe(true);
    for (const check of report.gate.checks.filter((c) => c.rule === 'max_regression'))
      expect(check).toMatchObject({ significance: 0.05, interval: { low: 0, high: 0 } });
  });
});

describe('interval formatting', () => {
  it('shows as many decimals as the width needs', () => {
    const entry = { method: 'bootstrap-percentile' as const, low: 0.7102, high: 0.8199 };
    expect(valueWithInterval(0.7658, entry)).toBe('0.7658 (0.71–0.82)');
    expect(valueWithInterval(null, entry)).toBe('—');
    const change = { ...entry, change: { value: 0.0018, low: -0.0211, high: 0.0249 } };
    expect(changeWithInterval(0.0018, change)).toBe('+0.0018 (−0.021…+0.025), not significant');
    const significant = { ...entry, change: { value: -0.05, low: -0.081, high: -0.019 } };
    expect(changeWithInterval(-0.05, significant)).toBe('−0.0500 (−0.081…−0.019)');
  });
});
