import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import {
  logisticRegressionModel,
  softmaxRegressionModel,
} from '../../../src/core/model/onnxWriter.js';
import { createServer } from '../../../src/core/serve/server.js';
import { readShadowLog } from '../../../src/core/serve/shadowLog.js';
import { CATEGORY_CODES, mixedInputModel } from '../../fixtures/models/mixedInputModel.js';
import { useTempDir } from '../../support/tempDir.js';

// Infer requests under a shadow: each model's half of the log line carries the rows /predict
// would have answered (`predict`), read from its own outputs, and the report reads those rows.
const dir = useTempDir();
const { config } = loadConfig('examples/credit-risk/modelship.yml');
const { config: penguins } = loadConfig('examples/penguins/modelship.yml');
const F = featureWidth(config.model.features!);
const weightsOf = (seed: number) =>
  Array.from({ length: F }, (_, i) => (((i + seed) * 37) % 11) / 50 - 0.1);
const primaryPath = join(dir, 'primary.onnx');
const shadowPath = join(dir, 'shadow.onnx');
writeFileSync(primaryPath, logisticRegressionModel({ weights: weightsOf(0), bias: -0.3 }));
writeFileSync(shadowPath, logisticRegressionModel({ weights: weightsOf(3), bias: 0.4 }));

interface Half {
  body: { outputs: { name: string; data: unknown[] }[] };
  predict?: { labels?: string[]; probabilities?: number[]; predictions?: number[] };
}
interface LogLine {
  id: string;
  route: string;
  primary: Half;
  shadow: Half;
  agreement: { labels: number; agreed: number; max_score_difference: number | null };
}
const readLog = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as LogLine);

const metricOf = (text: string, line: string) => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
};

async function post(url: string, model: string, body: unknown) {
  const res = await fetch(`${url}/v2/models/${model}/infer`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return res;
}
const infer = async (url: string, model: string, body: unknown) =>
  (await (await post(url, model, body)).json()) as { outputs: { name: string; data: unknown[] }[] };

describe('--shadow with Open Inference Protocol requests', () => {
  it('logs each model’s infer rows as /predict reads them, and compares them so on /metrics', async () => {
    const logFile = join(dir, 'binary.jsonl');
    const server = createServer({
      modelPath: primaryPath,
      config,
      modelVersion: '1.0.0',
      negativeLabel: 'good',
      shadow: {
        modelPath: shadowPath,
        config,
        modelVersion: '2.0.0',
        negativeLabel: 'good',
        logFile,
      },
    });
    await server.ready;
    const { url } = await server.listen(0, '127.0.0.1');
    const matrix = Array.from({ length: 6 }, (_, r) =>
      Array.from({ length: F }, (_, i) => ((r * 7 + i * 3) % 17) / 4 - 2),
    );
    const answered = await infer(url, 'credit-risk', {
      id: 'i-6',
      inputs: [{ name: 'input', shape: [6, F], datatype: 'FP32', data: matrix.flat() }],
    });
    // Binary outputs carry no data in the JSON: that request stays counted only.
    await post(url, 'credit-risk', {
      id: 'i-binary',
      inputs: [{ name: 'input', shape: [1, F], datatype: 'FP32', data: matrix[0] }],
      parameters: { binary_data_output: true },
    });
    // Scored after the answers: wait for both log lines.
    for (let i = 0; i < 200 && readFileSync(logFile, 'utf8').split('\n').length < 3; i++)
      await new Promise((r) => setTimeout(r, 20));
    const metrics = await (await fetch(`${url}/metrics`)).text();
    await server.close();
    const byId = new Map(readLog(logFile).map((l) => [l.id, l]));
    const line = byId.get('i-6')!;
    expect(line.route).toBe('infer');
    // The raw outputs stay logged; the primary's are what the client got.
    expect(line.primary.body.outputs).toEqual(answered.outputs);
    for (const half of [line.primary, line.shadow]) {
      const proba = half.body.outputs.find((o) => o.name === 'probabilities')!.data as number[];
      const p = matrix.map((_, r) => proba[r * 2 + 1]!);
      expect(half.predict).toEqual({
        threshold: 0.5,
        positive: 'bad',
        negative: 'good',
        labels: p.map((x) => (x >= 0.5 ? 'bad' : 'good')),
        probabilities: p,
      });
    }
    const a = line.primary.predict!;
    const b = line.shadow.predict!;
    const agreed = a.labels!.filter((x, i) => x === b.labels![i]).length;
    const deltas = a.probabilities!.map((p, i) => Math.abs(p - b.probabilities![i]!));
    expect(agreed).toBeGreaterThan(0);
    expect(agreed).toBeLessThan(6);
    expect(line.agreement).toEqual({
      labels: 6,
      agreed,
      max_score_difference: Math.max(...deltas),
    });
    expect(byId.get('i-binary')!.primary.predict).toBeUndefined();
    // /metrics counts the infer rows by P(positive) too: 6 rows, not 12 probabilities.
    expect(metricOf(metrics, 'modelship_shadow_labels_compared_total')).toBe(6);
    expect(metricOf(metrics, 'modelship_shadow_labels_agreed_total')).toBe(agreed);
    expect(metricOf(metrics, 'modelship_shadow_score_difference_bucket{le="0.1"}')).toBe(
      deltas.filter((d) => d <= 0.1).length,
    );
    const pairs = await readShadowLog(logFile);
    expect(pairs.task).toEqual({
      kind: 'binary',
      threshold: 0.5,
      positive: 'bad',
      negative: 'good',
    });
    expect(pairs.infer).toBe(1);
    expect(pairs.rows.map((r) => r.key)).toEqual(matrix.map((_, r) => `i-6/${r}`));
    expect(pairs.rows.map((r) => r.shadow.score)).toEqual(b.probabilities);
  });

  it('reads a multiclass model’s infer rows with modelship.yml’s class names', async () => {
    const classes = ['low', 'mid', 'high'];
    const multiclass = {
      ...config,
      model: { ...config.model, task: 'multiclass-classification' as const, classes },
    };
    const weights = Array.from({ length: F }, (_, i) => [i / 40 - 0.2, 0.05, 0.2 - i / 40]);
    const modelPath = join(dir, 'softmax.onnx');
    writeFileSync(modelPath, softmaxRegressionModel({ weights, bias: [0, 0.1, -0.1] }));
    const logFile = join(dir, 'multiclass.jsonl');
    const server = createServer({
      modelPath,
      config: multiclass,
      shadow: { modelPath, config: multiclass, logFile },
    });
    await server.ready;
    const { url } = await server.listen(0, '127.0.0.1');
    const matrix = [Array.from({ length: F }, () => 3), Array.from({ length: F }, () => -3)];
    const answered = await infer(url, 'credit-risk', {
      id: 'k-2',
      inputs: [{ name: 'input', shape: [2, F], datatype: 'FP32', data: matrix.flat() }],
    });
    await server.close();
    const [line] = readLog(logFile);
    const proba = answered.outputs[0]!.data as number[];
    const rows = [proba.slice(0, 3), proba.slice(3, 6)];
    const labels = rows.map((p) => classes[p.indexOf(Math.max(...p))]!);
    expect(new Set(labels).size).toBe(2);
    expect(line!.primary.predict).toEqual({ classes, labels, probabilities: rows });
    expect(line!.agreement).toEqual({ labels: 2, agreed: 2, max_score_difference: 0 });
    const pairs = await readShadowLog(logFile);
    expect(pairs.task).toEqual({ kind: 'multiclass', classes });
    expect(pairs.rows.map((r) => [r.key, r.primary.label])).toEqual([
      ['k-2/0', labels[0]],
      ['k-2/1', labels[1]],
    ]);
  });

  it('reads a model of one input per column (string, float, int64) as a regression', async () => {
    const modelPath = join(dir, 'mixed.onnx');
    writeFileSync(modelPath, mixedInputModel());
    const columnsConfig = { ...penguins, model: { ...penguins.model, features: undefined } };
    const logFile = join(dir, 'columns.jsonl');
    const server = createServer({
      modelPath,
      config: columnsConfig,
      modelVersion: '1.0.0',
      shadow: { modelPath, config: columnsConfig, modelVersion: '1.0.1', logFile },
    });
    await server.ready;
    const { url } = await server.listen(0, '127.0.0.1');
    const category = ['low', 'high', 'mid'];
    const amount = [0.5, -2.25, 10];
    const count = [3, 0, 7];
    await infer(url, 'penguins', {
      id: 'c-3',
      inputs: [
        { name: 'category', shape: [3, 1], datatype: 'BYTES', data: category },
        { name: 'amount', shape: [3, 1], datatype: 'FP32', data: amount },
        { name: 'count', shape: [3, 1], datatype: 'INT64', data: count },
      ],
    });
    await server.close();
    const [line] = readLog(logFile);
    const expected = category.map((c, i) => CATEGORY_CODES[c]! + amount[i]! + count[i]!);
    expect(line!.primary.predict).toEqual({ predictions: expected });
    expect(line!.shadow.predict).toEqual({ predictions: expected });
    expect(line!.agreement).toEqual({ labels: 0, agreed: 0, max_score_difference: 0 });
    const pairs = await readShadowLog(logFile);
    expect(pairs.task).toEqual({ kind: 'regression' });
    expect(pairs.infer).toBe(0);
    expect(pairs.rows).toEqual(
      expected.map((y, r) => ({ key: `c-3/${r}`, primary: { score: y }, shadow: { score: y } })),
    );
  });

  it('counts an infer line without predict (an older log) and reads the rest', async () => {
    const half = (version: string, body: Record<string, unknown>) => ({
      model: 'm',
      version,
      sha256: 'x',
      provider: 'cpu',
      ms: 1,
      body,
    });
    const file = join(dir, 'older.jsonl');
    const outputs = { outputs: [{ name: 'prediction', shape: [1], datatype: 'FP32', data: [2] }] };
    writeFileSync(
      file,
      [
        {
          id: 'old',
          route: 'infer',
          rows: 1,
          primary: half('1', outputs),
          shadow: half('2', outputs),
        },
        {
          id: 'new',
          route: 'infer',
          rows: 1,
          primary: { ...half('1', outputs), predict: { predictions: [2] } },
          shadow: { ...half('2', outputs), predict: { predictions: [2.5] } },
        },
      ]
        .map((l) => JSON.stringify(l))
        .join('\n'),
    );
    const pairs = await readShadowLog(file);
    expect(pairs.requests).toBe(2);
    expect(pairs.infer).toBe(1);
    expect(pairs.rows).toEqual([{ key: 'new', primary: { score: 2 }, shadow: { score: 2.5 } }]);
  });
});
