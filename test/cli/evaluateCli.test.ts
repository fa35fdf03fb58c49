// `modelship evaluate` and `modelship gate` as a user runs them: a child process on the built
// CLI, models trained on the credit-risk example, the JSON report's contract (docs/reports.md).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../src/core/evaluation/evaluate.js';
import {
  EVAL_CSV,
  FAILING_GATE,
  SENSITIVE,
  trainModels,
  writeProject,
  type TrainedModels,
} from '../support/evaluateProject.js';
import { buildCliIfStale, runCli, type CliResult } from '../support/cli.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();
let models: TrainedModels;
let passing: string;

const BINARY_METRICS = ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss', 'brier'];
const GROUP_KEYS = ['accuracy', 'count', 'fpr', 'selection_rate', 'tpr'];
const DISPARITIES = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equal_opportunity_difference',
  'equalized_odds_difference',
  'equalized_odds_ratio',
];
const CHECK_KEYS = ['baseline', 'candidate', 'message', 'metric', 'passed', 'rule', 'threshold'];

interface CliReport {
  rows: number;
  metrics: Record<string, number | null>;
  fairness: Record<string, Record<string, unknown> & { groups: Record<string, object> }>;
  baseline: { metrics: Record<string, number | null>; fairness: object; label: string } | null;
  gate: { passed: boolean; checks: Record<string, unknown>[]; notes: string[] };
}

const cli = (...args: string[]) => runCli(args, dir);
const read = (name: string) => readFileSync(join(dir, name), 'utf8');
const readJson = <T = CliReport>(name: string) => JSON.parse(read(name)) as T;

/** Bad input: exit 2, one line on stderr naming the problem, no stack trace, nothing on stdout. */
function expectBadInput(result: CliResult, message: string | RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  if (typeof message === 'string') expect(lines[0]).toBe(`modelship: ${message}`);
  else expect(lines[0]).toMatch(message);
  expect(result.stdout).toBe('');
}

beforeAll(async () => {
  buildCliIfStale();
  models = await trainModels(join(dir, 'models'));
  // Configs in their own directory: --model and --baseline paths are relative to the cwd.
  passing = writeProject(join(dir, 'project'), { model: models.candidate });
  writeProject(join(dir, 'project'), {
    model: models.candidate,
    gate: FAILING_GATE,
    file: 'failing.yml',
  });
  writeFileSync(join(dir, 'models/corrupt.onnx'), 'this is not a protobuf\n');
});

describe('modelship evaluate', () => {
  it('writes the JSON report of docs/reports.md and markdown, exit 0 when the gate passes', async () => {
    const result = cli(
      'evaluate',
      '--config',
      'project/modelship.yml',
      '--baseline',
      'models/baseline.onnx',
      '--json',
      'out/report.json',
      '--markdown',
      'out/report.md',
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/gate passed/i);

    const report = readJson('out/report.json');
    expect(report.rows).toBe(300);
    expect(Object.keys(report.metrics).sort()).toEqual([...BINARY_METRICS].sort());
    expect(Object.keys(report.fairness).sort()).toEqual([...SENSITIVE].sort());
    for (const attribute of SENSITIVE) {
      const fairness = report.fairness[attribute]!;
      expect(Object.keys(fairness).sort()).toEqual(
        ['groups', 'min_group_size', 'small_groups', ...DISPARITIES].sort(),
      );
      expect(Object.keys(fairness.groups).length).toBeGreaterThan(1);
      for (const group of Object.values(fairness.groups)) {
        expect(Object.keys(group).sort()).toEqual(GROUP_KEYS);
      }
      const counts = Object.values(fairness.groups).map((g) => (g as { count: number }).count);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(300);
    }
    expect(report.fairness.foreign_worker!.groups).toHaveProperty('yes');
    expect(report.baseline).not.toBeNull();
    expect(Object.keys(report.baseline!.metrics).sort()).toEqual([...BINARY_METRICS].sort());
    expect(Object.keys(report.baseline!.fairness).sort()).toEqual([...SENSITIVE].sort());
    expect(report.baseline!.label).toBe('models/baseline.onnx');
    expect(report.gate.passed).toBe(true);
    // foreign_worker's 'no' group (9 rows) is under fairness.min_group_size: its rule is not checked.
    expect(report.gate.checks).toHaveLength(6);
    expect(report.gate.notes).toContain(
      'fairness rules for foreign_worker were not checked: fewer than two of its groups have 30 rows (fairness.min_group_size)',
    );
    for (const check of report.gate.checks) {
      expect(
        Object.keys(check)
          .filter((k) => k !== 'attribute')
          .sort(),
      ).toEqual(CHECK_KEYS);
    }
    expect(report.gate.checks.find((c) => c.rule === 'max_regression')).toMatchObject({
      metric: 'roc_auc',
      threshold: 0.02,
      passed: true,
      baseline: report.baseline!.metrics.roc_auc,
      candidate: report.metrics.roc_auc,
    });

    // The numbers are those of evaluate() in process.
    const direct = await evaluate({
      config: loadConfig(passing),
      baseline: { path: models.baseline, label: 'baseline' },
    });
    expect(report.metrics).toEqual(direct.metrics);
    expect(report.fairness).toEqual(direct.fairness);
    expect(report.baseline!.metrics).toEqual(direct.baseline!.metrics);

    const markdown = read('out/report.md');
    expect(markdown).toContain('## Modelship · `credit-risk`');
    expect(markdown).toContain('### ✅ Gate passed: 6 checks');
    expect(markdown).toContain('against `models/baseline.onnx`');

    // The gate command on that report: the same verdict and the same checks.
    const gate = cli(
      'gate',
      '--config',
      'project/modelship.yml',
      '--report',
      'out/report.json',
      '--json',
      'out/gate.json',
    );
    expect(gate.code, gate.stderr).toBe(0);
    expect(readJson('out/gate.json')).toEqual(report.gate);
  });

  it('exits 1 when the gate fails, and gate on the report agrees', () => {
    const result = cli(
      'evaluate',
      '--config',
      'project/failing.yml',
      '--baseline',
      'none',
      '--json',
      'out/failing.json',
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('roc_auc 0.7658 < 0.9500 (min)');
    const report = readJson('out/failing.json');
    expect(report.baseline).toBeNull();
    expect(report.gate).toMatchObject({
      passed: false,
      notes: ['no production model yet: only absolute thresholds were checked'],
    });

    const gate = cli('gate', '--config', 'project/failing.yml', '--report', 'out/failing.json');
    expect(gate.code, gate.stderr).toBe(1);
    expect(gate.stdout).toContain('roc_auc 0.7658 < 0.9500 (min)');
    // The same report under the passing config passes: the config decides, not the report.
    const other = cli('gate', '--config', 'project/modelship.yml', '--report', 'out/failing.json');
    expect(other.code, other.stderr).toBe(0);
  });

  it('takes --model and --data relative to the current directory, not the config', () => {
    mkdirSync(join(dir, 'elsewhere'), { recursive: true });
    copyFileSync(models.candidate, join(dir, 'elsewhere/candidate.onnx'));
    copyFileSync(EVAL_CSV, join(dir, 'elsewhere/holdout.csv'));
    const ml = writeProject(join(dir, 'ml'), { model: 'artifacts/model.onnx' });
    expect(loadConfig(ml).config.model.path).toBe('artifacts/model.onnx');
    const result = cli(
      'evaluate',
      '--config',
      'ml/modelship.yml',
      '--model',
      'elsewhere/candidate.onnx',
      '--data',
      'elsewhere/holdout.csv',
      '--json',
      'out/elsewhere.json',
    );
    expect(result.code, result.stderr).toBe(0);
    const report = readJson<CliReport & { candidate: { path: string }; data: string }>(
      'out/elsewhere.json',
    );
    expect(report.candidate.path).toBe('elsewhere/candidate.onnx');
    expect(report.data).toBe('elsewhere/holdout.csv');
    expect(report.rows).toBe(300);
  });
});

describe('modelship evaluate and gate: bad input exits 2 with one line', () => {
  it.each([
    [
      'a missing model',
      ['--model', 'models/nope.onnx'],
      'models/nope.onnx: model file not found; check model.path in modelship.yml (relative to its directory) or the --model path.',
    ],
    [
      'a corrupt model',
      ['--model', 'models/corrupt.onnx'],
      'models/corrupt.onnx: not an ONNX model (protobuf parsing failed); check that it is the .onnx file training wrote, complete and not text.',
    ],
    [
      'a model of the wrong input width',
      ['--model', 'models/narrow.onnx'],
      'models/narrow.onnx expects 5 inputs per row, but modelship.yml features make 26; retrain or fix the features list.',
    ],
    [
      'a missing baseline',
      ['--baseline', 'models/gone.onnx'],
      'baseline models/gone.onnx: no such file or directory (relative paths start from the working directory); pass a release bundle directory, an ONNX file, production, a release tag <name>-v<semver>, or none.',
    ],
    [
      'a baseline of the wrong input width',
      ['--baseline', 'models/narrow.onnx'],
      'models/narrow.onnx expects 5 inputs per row, but modelship.yml features make 26; retrain or fix the features list.',
    ],
  ])('evaluate with %s', (_what, args, message) => {
    expectBadInput(cli('evaluate', '--config', 'project/modelship.yml', ...args), message);
  });

  it('gate with a missing --report file', () => {
    expectBadInput(
      cli('gate', '--config', 'project/modelship.yml', '--report', 'out/none.json'),
      'out/none.json: report not found; check the path.',
    );
  });

  it('gate with a report that is not a metrics report', () => {
    writeFileSync(join(dir, 'not-a-report.json'), JSON.stringify({ accuracy: 0.9 }));
    expectBadInput(
      cli('gate', '--config', 'project/modelship.yml', '--report', 'not-a-report.json'),
      /^modelship: not-a-report\.json: metrics: .*; expected \{ metrics: \{ name: number \}, fairness\?, baseline\? \}\.$/,
    );
  });
});
