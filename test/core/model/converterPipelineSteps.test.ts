/**
 * A scikit-learn pipeline exported with skl2onnx's defaults (one input per column, numbers as
 * float [N,1] and categories as string [N,1], probabilities behind a ZipMap) goes through every
 * step with no re-export and no model.features: evaluate, gate, package, serve (/predict and
 * OIP with BYTES), the deploy smoke test against the served bundle, drift --model and train's
 * model check. Its scores everywhere equal the Python model's within float32 precision.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { runSmokeTest } from '../../../src/core/deploy/smokeTest.js';
import type { SmokeTestData } from '../../../src/core/release/smokeTestFormat.js';
import { resolveServeTarget } from '../../../src/core/serve/serveTarget.js';
import { verifyTrainedModel } from '../../../src/core/train/verifyModel.js';
import { buildCliIfStale, runCli } from '../../support/cli.js';
import { CONVERTER_FIXTURES } from '../../support/converterFixtures.js';
import { startServeChild, type ServeChild } from '../../support/serveChild.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const MODEL = join(CONVERTER_FIXTURES, 'credit_pipeline_zipmap', 'model.onnx');

interface Expected {
  models: Record<string, { python: { predict_proba?: number[][] }; classes?: unknown[] }>;
}
const expected = JSON.parse(
  readFileSync(join(CONVERTER_FIXTURES, 'expected.json'), 'utf8'),
) as Expected;

/** The holdout as objects of column → raw CSV text (blank for a missing value). */
function holdoutRows(): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(dir, 'holdout.csv'), 'utf8').trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

/** P(bad) per holdout row from the Python model: proba's column of "bad" in its class order. */
function pythonScores(): number[] {
  const entry = expected.models['credit_pipeline_zipmap']!;
  const classes = (entry.classes ?? ['bad', 'good']).map(String);
  const column = classes.indexOf('bad');
  return entry.python.predict_proba!.map((row) => row[column]!);
}

describe('a skl2onnx pipeline through every step', () => {
  let server: ServeChild | undefined;

  beforeAll(() => {
    buildCliIfStale();
    copyFileSync(MODEL, join(dir, 'model.onnx'));
    copyFileSync(join(CONVERTER_FIXTURES, 'data', 'credit_train.csv'), join(dir, 'train.csv'));
    copyFileSync(join(CONVERTER_FIXTURES, 'data', 'credit_holdout.csv'), join(dir, 'holdout.csv'));
    writeFileSync(
      join(dir, 'modelship.yml'),
      [
        'model:',
        '  name: credit-pipeline',
        '  task: binary-classification',
        '  path: model.onnx',
        '  target: class',
        '  positive: bad',
        'data:',
        '  train: train.csv',
        '  eval: holdout.csv',
        'metrics:',
        '  roc_auc: { min: 0.7 }',
        '',
      ].join('\n'),
    );
  });

  afterAll(() => {
    server?.child.kill('SIGTERM');
  });

  it("passes train's model check, reading one input per column", async () => {
    const checked = await verifyTrainedModel(
      loadConfig(join(dir, 'modelship.yml')),
      join(dir, 'model.onnx'),
    );
    expect(checked.features).toBe(20);
    expect(checked.inputName).toBe('checking_status');
  });

  it('evaluates with the ZipMap probabilities, read by class name, and passes the gate', () => {
    const run = runCli(['evaluate', '--baseline', 'none', '--json', 'report.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as {
      rows: number;
      metrics: Record<string, number>;
      confusion: { labels: string[] };
      gate: { passed: boolean };
    };
    expect(report.rows).toBe(200);
    expect(report.confusion.labels).toEqual(['good', 'bad']);
    expect(report.metrics['roc_auc']).toBeGreaterThan(0.7);
    expect(report.gate.passed).toBe(true);
    const gate = runCli(['gate', '--report', 'report.json'], dir);
    expect(gate.code, gate.stderr).toBe(0);
  });

  it('packages a bundle whose smoke test feeds one OIP tensor per input, text as BYTES', () => {
    const run = runCli(['package', '--out', 'bundle', '--version', '1.0.0'], dir);
    expect(run.code, run.stderr).toBe(0);
    const smoke = JSON.parse(
      readFileSync(join(dir, 'bundle', 'smoke-test.json'), 'utf8'),
    ) as SmokeTestData;
    if (!('tensors' in smoke.inputs)) throw new Error('expected one tensor per input');
    expect(smoke.inputs.tensors).toHaveLength(20);
    const checking = smoke.inputs.tensors.find((t) => t.name === 'checking_status')!;
    expect(checking.datatype).toBe('BYTES');
    expect(checking.shape).toEqual([smoke.rows.length, 1]);
    expect(smoke.inputs.tensors.find((t) => t.name === 'duration')!.datatype).toBe('FP32');
    // The smoke rows are the holdout's first rows: their scores are the Python model's.
    if (smoke.expected.kind !== 'binary') throw new Error('expected binary');
    const python = pythonScores();
    smoke.expected.probabilities.forEach((p, i) => expect(p).toBeCloseTo(python[i]!, 5));
    const card = readFileSync(join(dir, 'bundle', 'MODEL_CARD.md'), 'utf8');
    expect(card).toContain('one input per data column (20)');
    expect(card).toContain('`checking_status` (string)');
    const config = readFileSync(join(dir, 'bundle', 'modelship.yml'), 'utf8');
    expect(config).toMatch(/negative: good/);
  });

  it('serves /predict from rows of raw values, and passes the smoke test over HTTP', async () => {
    server = await startServeChild(join(dir, 'bundle'));
    const rows = holdoutRows()
      .slice(0, 20)
      .map(({ class: _label, ...row }) => row);
    const response = await fetch(`${server.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rows }),
    });
    const body = (await response.json()) as {
      positive: string;
      negative: string;
      labels: string[];
      probabilities: number[];
    };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body.negative).toBe('good');
    const python = pythonScores();
    body.probabilities.forEach((p, i) => expect(p).toBeCloseTo(python[i]!, 5));
    expect(body.labels).toEqual(body.probabilities.map((p) => (p >= 0.5 ? 'bad' : 'good')));

    const smoke = JSON.parse(
      readFileSync(join(dir, 'bundle', 'smoke-test.json'), 'utf8'),
    ) as SmokeTestData;
    const target = resolveServeTarget(join(dir, 'bundle'));
    const result = await runSmokeTest({
      url: server.url,
      data: smoke,
      negativeLabel: target.negativeLabel,
    });
    expect(result.reason).toBe('');
    expect(result.passed).toBe(true);
    expect(result.comparisons.map((c) => c.passed)).toEqual([true, true]);
  });

  it('answers OIP metadata with the columns as BYTES and FP32 inputs', async () => {
    const response = await fetch(`${server!.url}/v2/models/credit-pipeline`);
    const meta = (await response.json()) as { inputs: { name: string; datatype: string }[] };
    expect(meta.inputs).toHaveLength(20);
    expect(meta.inputs[0]).toMatchObject({ name: 'checking_status', datatype: 'BYTES' });
    expect(meta.inputs[1]).toMatchObject({ name: 'duration', datatype: 'FP32' });
  });

  it('serves the bare ONNX file over OIP with the ZipMap probabilities as a tensor', async () => {
    const bare = await startServeChild(join(dir, 'model.onnx'));
    try {
      const smoke = JSON.parse(
        readFileSync(join(dir, 'bundle', 'smoke-test.json'), 'utf8'),
      ) as SmokeTestData;
      if (!('tensors' in smoke.inputs)) throw new Error('expected one tensor per input');
      const response = await fetch(`${bare.url}/v2/models/model/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: smoke.inputs.tensors }),
      });
      const body = (await response.json()) as {
        outputs: { name: string; datatype: string; shape: number[]; data: unknown[] }[];
      };
      expect(response.status, JSON.stringify(body)).toBe(200);
      // Every tensor output: the label, and the probabilities that feed the ZipMap.
      const label = body.outputs.find((o) => o.name === 'output_label')!;
      expect(label.datatype).toBe('BYTES');
      const proba = body.outputs.find((o) => o.datatype === 'FP32')!;
      expect(proba.shape).toEqual([smoke.rows.length, 2]);
      if (smoke.expected.kind !== 'binary') throw new Error('expected binary');
      const { probabilities } = smoke.expected;
      // Column 0 is "bad", the ZipMap's first key.
      const bad = (proba.data as number[]).filter((_, i) => i % 2 === 0);
      bad.forEach((p, i) => expect(p).toBeCloseTo(probabilities[i]!, 6));
    } finally {
      bare.child.kill('SIGTERM');
    }
  });

  it('checks prediction drift with the model', () => {
    const run = runCli(
      [
        'drift',
        '--reference',
        'train.csv',
        '--current',
        'holdout.csv',
        '--config',
        'modelship.yml',
        '--model',
        'model.onnx',
        '--json',
        'drift.json',
      ],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    const drift = JSON.parse(readFileSync(join(dir, 'drift.json'), 'utf8')) as {
      prediction?: { output: string; score: number };
      performance?: { metrics: Record<string, number | null> };
      notes?: string[];
    };
    expect(drift.notes ?? []).not.toContainEqual(expect.stringMatching(/skipped/));
    expect(drift.prediction?.output).toBe('P(bad)');
    expect(drift.prediction?.score).toBeGreaterThanOrEqual(0);
  });
});
