// Slices and small groups through evaluate: the example's holdout read with its slice columns,
// per-slice metrics in the JSON report, the gate's slice checks and the markdown report.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../../src/core/evaluation/evaluate.js';
import type { EvaluationReport } from '../../../src/core/evaluation/evaluationReport.js';
import { sliceName } from '../../../src/core/evaluation/slices.js';
import { applyConfigGate } from '../../../src/core/gate/configGate.js';
import { readGateReport } from '../../../src/core/gate/gateReport.js';
import { evaluationMarkdown } from '../../../src/core/report/evaluationMarkdown.js';
import { escapeMarkdown } from '../../../src/core/report/markdownEscape.js';
import {
  EVAL_CSV,
  trainModels,
  writeProject,
  type TrainedModels,
} from '../../support/evaluateProject.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
let models: TrainedModels;
let report: EvaluationReport;

/** The holdout's rows per value of a column, counted from the CSV here (no quoted commas in it). */
function countsOf(column: string): Map<string, number> {
  const [head, ...lines] = readFileSync(EVAL_CSV, 'utf8').trimEnd().split('\n');
  const index = head!.split(',').indexOf(column);
  const counts = new Map<string, number>();
  for (const line of lines) {
    const value = line.split(',')[index]!;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

function project(name: string, slices: string): string {
  const file = writeProject(join(dir, name), { model: models.candidate });
  appendFileSync(file, slices);
  return file;
}

const SLICES = `slices:
  by: [housing, [personal_status, foreign_worker]]
  min_count: 40
  metrics:
    roc_auc: { min: 0.5 }
    accuracy: { max_regression: 0.5 }
`;

beforeAll(async () => {
  models = await trainModels(join(dir, 'models'));
  report = await evaluate({
    config: loadConfig(project('passing', SLICES)),
    baseline: { path: models.baseline, label: 'production' },
  });
});

describe('slices in evaluate', () => {
  it('reports every slice of a column and of a cross with its count and the task metrics', () => {
    const slices = report.slices!;
    const housing = slices.filter((s) => s.columns.join() === 'housing');
    expect(new Map(housing.map((s) => [s.values[0]!, s.count]))).toEqual(countsOf('housing'));
    const crossed = slices.filter((s) => s.columns.join() === 'personal_status,foreign_worker');
    expect(crossed.reduce((n, s) => n + s.count, 0)).toBe(300);
    expect(crossed.some((s) => s.values.join() === 'male single,yes')).toBe(true);
    for (const slice of slices) {
      expect(Object.keys(slice.metrics).sort()).toEqual(Object.keys(report.metrics).sort());
      expect(slice.gated).toBe(slice.count >= 40);
    }
    expect(report.baseline!.slices).toHaveLength(slices.length);
    // The JSON report carries them as they are.
    expect(JSON.parse(JSON.stringify(report)).slices).toEqual(slices);
  });

  it('gates the slices of at least min_count rows, against the production model’s same slice', () => {
    const gated = report.slices!.filter((s) => s.gated).map(sliceName);
    const checks = report.gate.checks.filter((c) => c.slice !== undefined);
    expect([...new Set(checks.map((c) => c.slice))]).toEqual(gated);
    expect(checks).toHaveLength(2 * gated.length);
    const own = checks.find((c) => c.slice === 'housing = own' && c.rule === 'max_regression')!;
    const production = report.baseline!.slices!.find((s) => sliceName(s) === 'housing = own')!;
    expect(own.baseline).toBe(production.metrics.accuracy);
    expect(own.message).toMatch(/^slice housing = own: accuracy /);
    const small = report.slices!.length - gated.length;
    expect(small).toBeGreaterThan(0);
    expect(report.gate.notes).toContain(
      `${small} slices have fewer than 40 rows (slices.min_count) and were not gated`,
    );
    expect(report.gate.passed).toBe(true);
  });

  it('fails the gate on a slice rule, naming the slice', async () => {
    const failing = await evaluate({
      config: loadConfig(project('failing', SLICES.replace('min: 0.5', 'min: 0.99'))),
    });
    const failed = failing.gate.checks.filter((c) => !c.passed);
    expect(failing.gate.passed).toBe(false);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((c) => c.slice !== undefined && c.metric === 'roc_auc')).toBe(true);
    expect(failed[0]!.message).toMatch(/^slice [a-z_]+ = .+: roc_auc 0\.\d+ < 0\.99/);
    const markdown = evaluationMarkdown(failing);
    expect(markdown).toContain(`failed the gate</summary>`);
    expect(markdown).toContain(`- ${escapeMarkdown(failed[0]!.message)}`);
  });

  it('lists slices worst first by the first rule’s metric, folded, and keeps slice checks out of the metrics table', () => {
    const markdown = evaluationMarkdown(report);
    const start = markdown.indexOf('<details><summary>Slices: ');
    expect(start).toBeGreaterThan(0);
    const section = markdown.slice(start, markdown.indexOf('</details>', start));
    expect(section).toContain('worst first by roc_auc');
    const gated = report.slices!.filter((s) => s.gated);
    const worst = gated.reduce((a, b) => (b.metrics.roc_auc! < a.metrics.roc_auc! ? b : a));
    const firstRow = section.split('\n').find((line) => line.startsWith('| `'))!;
    expect(firstRow).toContain(`\`${sliceName(worst)}\``);
    expect(section).toContain('not gated (too few rows)');
    const metricsTable = markdown.slice(
      markdown.indexOf('#### Metrics'),
      markdown.indexOf('#### Fairness'),
    );
    expect(metricsTable).toMatch(/\| roc_auc .*\| min 0\.7000, max_regression 0\.0200 +\|/);
    expect(metricsTable).not.toContain('0.5000');
  });
});

describe('small groups in evaluate', () => {
  it('shows a small group with its count, leaves it out of the disparities and says so', () => {
    const status = report.fairness.personal_status!;
    expect(status.min_group_size).toBe(30);
    expect(status.small_groups).toEqual(['male div/sep']);
    expect(status.groups['male div/sep']!.count).toBe(
      countsOf('personal_status').get('male div/sep'),
    );
    const large = Object.entries(status.groups).filter(([g]) => g !== 'male div/sep');
    const rates = large.map(([, g]) => g.selection_rate!);
    expect(status.demographic_parity_difference).toBeCloseTo(
      Math.max(...rates) - Math.min(...rates),
      12,
    );
    // foreign_worker's 'no' has 9 rows: one group remains, so its rules are not checked.
    expect(report.fairness.foreign_worker!.small_groups).toEqual(['no']);
    expect(report.fairness.foreign_worker!.equalized_odds_difference).toBeNull();
    expect(report.gate.checks.some((c) => c.attribute === 'foreign_worker')).toBe(false);
    const markdown = evaluationMarkdown(report);
    expect(markdown).toContain(
      'Left out of the disparities as smaller than 30 rows (fairness.min_group_size): `male div/sep` (11 rows)',
    );
    expect(markdown).toContain(
      'Fewer than two groups remain, so the disparities are undefined and their rules were not checked.',
    );
    const foreign = markdown.slice(markdown.indexOf('**`foreign_worker`**'));
    expect(foreign.slice(0, foreign.indexOf('<details>'))).not.toContain('| Disparity');
  });
});

describe('slice intervals and significance', () => {
  it('gives each slice its intervals, DeLong for roc_auc, paired with the production slice', () => {
    // Slices of one row have none; the gated ones (≥ 40 rows) hold both classes.
    expect(report.slices!.every((s) => (s.intervals === undefined) === s.count < 2)).toBe(true);
    for (const slice of report.slices!.filter((s) => s.gated)) {
      const auc = slice.intervals!.roc_auc!;
      expect(auc.method).toBe('delong');
      expect(auc.low!).toBeLessThanOrEqual(slice.metrics.roc_auc!);
      expect(auc.high!).toBeGreaterThanOrEqual(slice.metrics.roc_auc!);
      const accuracy = slice.intervals!.accuracy!;
      expect(accuracy.method).toBe('bootstrap-percentile');
      expect(accuracy.change).toBeDefined();
    }
    const own = report.slices!.find((s) => sliceName(s) === 'housing = own')!;
    const production = report.baseline!.slices!.find((s) => sliceName(s) === 'housing = own')!;
    expect(own.intervals!.accuracy!.change!.value).toBeCloseTo(
      own.metrics.accuracy! - production.metrics.accuracy!,
      12,
    );
    const markdown = evaluationMarkdown(report);
    expect(markdown).toMatch(/\| `housing = own` +\| +\d+ \|.*\d\.\d{4} \(0\.\d+–0\.\d+\)/);
  });

  it('passes a slice rule whose bound lies inside the interval only under a significance', async () => {
    const own = report.slices!.find((s) => sliceName(s) === 'housing = own')!;
    const auc = own.intervals!.roc_auc!;
    const bound = ((own.metrics.roc_auc! + auc.high!) / 2).toFixed(4);
    const rules = `slices:\n  by: [housing]\n  min_count: 40\n  metrics:\n    roc_auc: { min: ${bound} }\n`;
    const strict = await evaluate({ config: loadConfig(project('strict', rules)) });
    const own1 = strict.gate.checks.find((c) => c.slice === 'housing = own')!;
    expect(own1.passed).toBe(false);
    const lenient = await evaluate({
      config: loadConfig(project('lenient', `${rules}intervals:\n  significance: 0.05\n`)),
    });
    const own2 = lenient.gate.checks.find((c) => c.slice === 'housing = own')!;
    expect(own2.passed).toBe(true);
    expect(own2.significance).toBe(0.05);
    expect(own2.message).toMatch(/^slice housing = own: roc_auc .*not significant/);
  });
});

describe('the gate on a stored report', () => {
  it('gates the report’s slices as evaluate did, with their stored intervals', async () => {
    const file = project('stored', `${SLICES}intervals:\n  significance: 0.05\n`);
    const loaded = loadConfig(file);
    const evaluated = await evaluate({
      config: loaded,
      baseline: { path: models.baseline, label: 'production' },
    });
    const path = join(dir, 'stored', 'report.json');
    writeFileSync(path, JSON.stringify(evaluated));
    const stored = readGateReport(path);
    const gate = applyConfigGate(loaded.config, stored.candidate, stored.baseline);
    expect(gate).toEqual(evaluated.gate);
    expect(gate.checks.filter((c) => c.slice !== undefined).length).toBeGreaterThan(0);
    expect(gate.checks.every((c) => c.slice === undefined || c.significance === 0.05)).toBe(true);
  });

  it('fails the slice rules of a report without slices, saying where slices come from', () => {
    const loaded = loadConfig(project('bare', SLICES));
    const path = join(dir, 'bare', 'metrics.json');
    writeFileSync(
      path,
      JSON.stringify({ metrics: { roc_auc: 0.8, log_loss: 0.5, accuracy: 0.8 } }),
    );
    const stored = readGateReport(path);
    const gate = applyConfigGate(loaded.config, stored.candidate, null);
    const failed = gate.checks.filter((c) => !c.passed && c.slice !== undefined);
    expect(failed.map((c) => c.message)).toEqual([
      'slices: the report has no slices, so the roc_auc min rule (0.5) fails; evaluate writes them when modelship.yml has slices',
      'slices: the report has no slices, so the accuracy max_regression rule (0.5) fails; evaluate writes them when modelship.yml has slices',
    ]);
  });
});
