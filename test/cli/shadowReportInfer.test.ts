import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, TASK_METRICS } from '../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../src/core/model/featureMatrix.js';
import { linearRegressionModel, logisticRegressionModel } from '../../src/core/model/onnxWriter.js';
import { createServer } from '../../src/core/serve/server.js';
import { buildCliIfStale, runCli } from '../support/cli.js';
import { EXAMPLE_CONFIG, ROOT } from '../support/evaluateProject.js';
import { seededRandom } from '../support/prng.js';
import { sklearnMetrics, type ReferenceCase } from '../support/sklearnReference.js';
import { systemRequirements } from '../support/systemRequirements.js';
import { useTempDir } from '../support/tempDir.js';

// Shadow logs of Open Inference Protocol requests only (one row a request and four), a binary
// classifier of the credit-risk example and a regression of the penguins one: shadow-report
// scores their rows as it scores /predict's, and sklearn agrees on the same logged scores.
const sklearn = systemRequirements(['python-sklearn']);
const dir = useTempDir();
const PENGUINS_CONFIG = join(ROOT, 'examples/penguins/modelship.yml');

interface Half {
  predict: { probabilities?: number[]; predictions?: number[] };
}
interface Line {
  id: string;
  route: string;
  primary: Half;
  shadow: Half;
}

interface Case {
  configFile: string;
  /** The logged rows' keys, each model's score, and the true label written for it. */
  rows: { key: string; primary: number; shadow: number; truth: string }[];
  log: string;
  labels: string;
}

/**
 * Serves `primary` with `shadow` beside it, sends 60 requests of one row and 15 of four (random
 * feature rows), and writes labels for all rows but the last 10, drawn from `truth`.
 */
async function shadowRun(
  name: string,
  configFile: string,
  models: { primary: Uint8Array; shadow: Uint8Array },
  truth: (score: number, random: () => number) => string,
  labelColumn: string,
): Promise<Case> {
  const { config } = loadConfig(configFile);
  const F = featureWidth(config.model.features!);
  const paths = { primary: join(dir, `${name}-1.onnx`), shadow: join(dir, `${name}-2.onnx`) };
  writeFileSync(paths.primary, models.primary);
  writeFileSync(paths.shadow, models.shadow);
  const log = join(dir, `${name}.jsonl`);
  const server = createServer({
    modelPath: paths.primary,
    config,
    modelVersion: '1.0.0',
    shadow: { modelPath: paths.shadow, config, modelVersion: '1.1.0', logFile: log },
  });
  await server.ready;
  const { url } = await server.listen(0, '127.0.0.1');
  const random = seededRandom(name.length * 7919);
  const send = async (id: string, n: number) => {
    const data = Array.from({ length: n * F }, () => random() * 4 - 2);
    const res = await fetch(`${url}/v2/models/${config.model.name}/infer`, {
      method: 'POST',
      body: JSON.stringify({
        id,
        inputs: [{ name: 'input', shape: [n, F], datatype: 'FP32', data }],
      }),
    });
    expect(res.status).toBe(200);
  };
  for (let i = 0; i < 60; i++) await send(`s${i}`, 1);
  for (let j = 0; j < 15; j++) await send(`m${j}`, 4);
  await server.close();
  const rows: Case['rows'] = [];
  for (const text of readFileSync(log, 'utf8').trim().split('\n')) {
    const line = JSON.parse(text) as Line;
    expect(line.route).toBe('infer');
    const scoresOf = (h: Half) => h.predict.probabilities ?? h.predict.predictions!;
    const [a, b] = [scoresOf(line.primary), scoresOf(line.shadow)];
    a.forEach((score, i) =>
      rows.push({
        key: a.length === 1 ? line.id : `${line.id}/${i}`,
        primary: score,
        shadow: b[i]!,
        truth: truth(score, random),
      }),
    );
  }
  expect(rows).toHaveLength(120);
  const labels = join(dir, `${name}-labels.csv`);
  writeFileSync(
    labels,
    [`id,${labelColumn}`, ...rows.slice(0, -10).map((r) => `${r.key},${r.truth}`), ''].join('\n'),
  );
  return { configFile, rows, log, labels };
}

/** shadow-report with labels, as JSON: what it printed and wrote. */
function report(c: Case) {
  const json = `${c.log}.report.json`;
  const result = runCli(
    ['shadow-report', c.log, '--labels', c.labels, '--config', c.configFile, '--json', json],
    dir,
  );
  expect(result.stderr).toBe('');
  const written = JSON.parse(readFileSync(json, 'utf8')) as {
    rows: number;
    metrics: Record<string, number>;
    baseline: { metrics: Record<string, number> };
    gate: { passed: boolean };
  };
  expect(result.code).toBe(written.gate.passed ? 0 : 1);
  expect(result.stdout).toContain('10 logged rows have no label');
  return written;
}

let binary: Case;
let regression: Case;
beforeAll(async () => {
  buildCliIfStale();
  const F = featureWidth(loadConfig(EXAMPLE_CONFIG).config.model.features!);
  const weightsOf = (seed: number) =>
    Array.from({ length: F }, (_, i) => (((i + seed) * 37) % 11) / 25 - 0.2);
  binary = await shadowRun(
    'binary',
    EXAMPLE_CONFIG,
    {
      primary: logisticRegressionModel({ weights: weightsOf(0), bias: -0.3 }),
      shadow: logisticRegressionModel({ weights: weightsOf(4), bias: 0.2 }),
    },
    (p, random) => (random() < p ? 'bad' : 'good'),
    'class',
  );
  const P = featureWidth(loadConfig(PENGUINS_CONFIG).config.model.features!);
  const coefficients = (seed: number) =>
    Array.from({ length: P }, (_, i) => ((i + seed) % 5) * 120 - 200);
  regression = await shadowRun(
    'regression',
    PENGUINS_CONFIG,
    {
      primary: linearRegressionModel({ weights: coefficients(0), bias: 4200 }),
      shadow: linearRegressionModel({ weights: coefficients(2), bias: 4100, output: 'column' }),
    },
    (y, random) => String(Math.round(y + (random() - 0.5) * 600)),
    'body_mass_g',
  );
});

describe('modelship shadow-report on infer requests', sklearn.options, () => {
  it('scores a binary classifier’s infer rows as sklearn scores the same logged scores', () => {
    sklearn.check();
    const written = report(binary);
    const labelled = binary.rows.slice(0, -10);
    expect(written.rows).toBe(110);
    const yTrue = labelled.map((r) => (r.truth === 'bad' ? 1 : 0));
    const cases: ReferenceCase[] = [
      { task: 'binary', yTrue, scores: labelled.map((r) => r.shadow), threshold: 0.5 },
      { task: 'binary', yTrue, scores: labelled.map((r) => r.primary), threshold: 0.5 },
    ];
    const [shadow, primary] = sklearnMetrics(cases);
    expect(Object.keys(written.metrics).sort()).toEqual(
      [...TASK_METRICS['binary-classification']].sort(),
    );
    for (const metric of TASK_METRICS['binary-classification']) {
      expect(written.metrics[metric]).toBeCloseTo(shadow![metric]!, 10);
      expect(written.baseline.metrics[metric]).toBeCloseTo(primary![metric]!, 10);
    }
    expect(written.metrics.roc_auc).not.toBeCloseTo(written.baseline.metrics.roc_auc!, 3);
  });

  it('scores a regression’s infer rows ([N] and [N, 1] outputs) as sklearn does', () => {
    sklearn.check();
    const written = report(regression);
    const labelled = regression.rows.slice(0, -10);
    expect(written.rows).toBe(110);
    const yTrue = labelled.map((r) => Number(r.truth));
    const [shadow, primary] = sklearnMetrics([
      { task: 'regression', yTrue, yPred: labelled.map((r) => r.shadow) },
      { task: 'regression', yTrue, yPred: labelled.map((r) => r.primary) },
    ]);
    const metrics = Object.keys(shadow!);
    expect(metrics.every((m) => m in written.metrics)).toBe(true);
    for (const metric of metrics) {
      expect(written.metrics[metric]).toBeCloseTo(shadow![metric]!, 6);
      expect(written.baseline.metrics[metric]).toBeCloseTo(primary![metric]!, 6);
    }
    expect(written.metrics.mae).not.toBeCloseTo(written.baseline.metrics.mae!, 1);
  });
});
