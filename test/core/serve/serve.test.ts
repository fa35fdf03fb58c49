import { mkdirSync, writeFileSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { buildFeatureMatrix, featureWidth } from '../../../src/core/model/featureMatrix.js';
import { loadOnnxModel } from '../../../src/core/model/onnxModel.js';
import {
  linearRegressionModel,
  logisticRegressionModel,
  softmaxRegressionModel,
} from '../../../src/core/model/onnxWriter.js';
import { predict } from '../../../src/core/model/predict.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { labelsOf, resolveServeTarget } from '../../../src/core/serve/serveTarget.js';
import { exampleEvalRows } from '../../support/exampleRows.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const example = 'examples/credit-risk';
const loaded = loadConfig(join(example, 'modelship.yml'));
const { config } = loaded;
const F = featureWidth(config.model.features!);
const weights = Array.from({ length: F }, (_, i) => ((i * 37) % 11) / 50 - 0.1);
weights[1] = 1e-4; // credit_amount is in the thousands
const modelPath = join(dir, 'model.onnx');
writeFileSync(modelPath, logisticRegressionModel({ weights, bias: -0.3 }));

const evalRows = exampleEvalRows;

const logs: Record<string, unknown>[] = [];
let server: ModelServer;
let base: string;

beforeAll(async () => {
  server = createServer({ modelPath, config, modelVersion: '1.2.0', logger: (e) => logs.push(e) });
  await server.ready;
  base = (await server.listen(0, '127.0.0.1')).url;
});
afterAll(() => server.close());

const get = (path: string) => fetch(base + path);
const post = (path: string, body: unknown) =>
  fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

const matrix = [
  Array.from({ length: F }, (_, i) => i / 10),
  Array.from({ length: F }, (_, i) => (F - i) / 7),
];
const expectedP = matrix.map((row) => {
  const z = row.reduce((s, x, i) => s + Math.fround(x) * weights[i]!, -0.3);
  return 1 / (1 + Math.exp(-z));
});

describe('Open Inference Protocol v2 routes', () => {
  it('answers health, server and model metadata', async () => {
    expect(await (await get('/v2/health/live')).json()).toEqual({ live: true });
    const ready = await get('/v2/health/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    const meta = (await (await get('/v2')).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ name: 'modelship', extensions: ['binary_tensor_data'] });
    expect(typeof meta.version).toBe('string');
    for (const path of ['/v2/models/credit-risk', '/v2/models/credit-risk/versions/1.2.0']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        name: 'credit-risk',
        versions: ['1.2.0'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, F] }],
        outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 2] }],
      });
      const r = await get(`${path}/ready`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ name: 'credit-risk', ready: true });
    }
  });

  it('infers with flat and nested data and numeric datatypes', async () => {
    const cases = [
      { datatype: 'FP32', data: matrix.flat() },
      { datatype: 'FP32', data: matrix },
      { datatype: 'FP64', data: matrix },
    ];
    for (const c of cases) {
      const res = await post('/v2/models/credit-risk/infer', {
        id: 'req-7',
        inputs: [{ name: 'input', shape: [2, F], ...c }],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        model_name: string;
        model_version: string;
        id: string;
        outputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
      };
      expect(body).toMatchObject({
        model_name: 'credit-risk',
        model_version: '1.2.0',
        id: 'req-7',
      });
      const out = body.outputs[0]!;
      expect(out).toMatchObject({ name: 'probabilities', shape: [2, 2], datatype: 'FP32' });
      expect(out.data[1]).toBeCloseTo(expectedP[0]!, 5);
      expect(out.data[3]).toBeCloseTo(expectedP[1]!, 5);
    }
    const ints = Array.from({ length: F }, (_, i) => i % 3);
    const res = await post('/v2/models/credit-risk/versions/1.2.0/infer', {
      inputs: [{ name: 'input', shape: [1, F], datatype: 'INT64', data: ints }],
      outputs: [{ name: 'probabilities' }],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { id: string; outputs: { data: number[] }[] };
    const z = ints.reduce((s, x, i) => s + x * weights[i]!, -0.3);
    expect(body.outputs[0]!.data[1]).toBeCloseTo(1 / (1 + Math.exp(-z)), 5);
    expect(typeof body.id).toBe('string');
  });

  it('rejects BYTES for the float input, bad shapes, bad datatypes and unknown models', async () => {
    const bad = [
      { datatype: 'BYTES', shape: [1, F], data: Array.from({ length: F }, () => 'a') },
      { datatype: 'FP32', shape: [1, F + 1], data: Array.from({ length: F + 1 }, () => 1) },
      { datatype: 'FP32', shape: [2, F], data: matrix.flat().slice(1) },
      { datatype: 'FP32', shape: [F], data: matrix[0] },
      { datatype: 'FP99', shape: [1, F], data: matrix[0] },
      { datatype: 'INT64', shape: [1, F], data: matrix[1] },
      { datatype: 'FP32', shape: [1, F], data: [...matrix[0]!.slice(1), 'x'] },
    ];
    const errors: string[] = [];
    for (const input of bad) {
      const res = await post('/v2/models/credit-risk/infer', {
        id: 'bad-1',
        inputs: [{ name: 'input', ...input }],
      });
      expect(res.status, input.datatype).toBe(400);
      const body = (await res.json()) as { error: string; id: string };
      errors.push(body.error);
      expect(body.id).toBe('bad-1');
    }
    expect(errors).toEqual([
      "input input: datatype BYTES (strings) cannot feed the model's float32 input; send FP32 (or another numeric datatype) with numbers.",
      `input input: shape [1, ${F + 1}] has ${F + 1} columns, but the model takes [rows, ${F}].`,
      `input input: data has ${2 * F - 1} elements, but shape [2, ${F}] holds ${2 * F}.`,
      `input input: shape [${F}] has rank 1, but the model takes [rows, ${F}].`,
      expect.stringMatching(/^input input: unknown datatype "FP99"; expected one of BOOL, /),
      expect.stringMatching(
        /^input input: element 0 \([\d.]+\) is not an integer \(datatype INT64\)\.$/,
      ),
      `input input: element ${F - 1} ("x") is not a number (datatype FP32).`,
    ]);
    const wrongName = await post('/v2/models/credit-risk/infer', {
      inputs: [{ name: 'x', shape: [1, F], datatype: 'FP32', data: matrix[0] }],
    });
    expect(wrongName.status).toBe(400);
    for (const path of ['/v2/models/nope', '/v2/models/nope/ready']) {
      const res = await get(path);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'Model with name nope does not exist.' });
    }
    expect((await post('/v2/models/nope/infer', {})).status).toBe(404);
    expect((await get('/v2/models/credit-risk/versions/9/ready')).status).toBe(404);
    const malformed = await post('/v2/models/credit-risk/infer', '{"inputs": [');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/not valid JSON/);
    expect((await get('/v2/health/live')).status).toBe(200);
  });
});

describe('/predict', () => {
  it('gives the same probabilities as predict() on eval.csv rows', async () => {
    const rows = evalRows(40);
    const columns: Record<string, string[]> = {};
    for (const name of Object.keys(rows[0]!)) columns[name] = rows.map((r) => r[name]!);
    const model = await loadOnnxModel(modelPath, { features: F });
    const out = await predict(
      model,
      buildFeatureMatrix(columns, rows.length, config.model.features!),
      rows.length,
      config.model.task,
    );
    await model.release();
    if (out.kind !== 'binary') throw new Error('binary expected');
    // Numbers as JSON numbers, as a client sends them.
    const json = rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
        ]),
      ),
    );
    const res = await post('/predict', { id: 'p1', rows: json });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      labels: string[];
      probabilities: number[];
      threshold: number;
    };
    expect(body.id).toBe('p1');
    expect(body.probabilities).toHaveLength(rows.length);
    body.probabilities.forEach((p, i) => expect(Math.abs(p - out.scores[i]!)).toBeLessThan(1e-6));
    body.labels.forEach((label, i) =>
      expect(label).toBe(out.scores[i]! >= 0.5 ? 'bad' : 'not bad'),
    );
    expect(new Set(body.labels).size).toBeGreaterThan(0);
  });

  it('answers 400 for missing columns and unknown categories, 413 for big bodies', async () => {
    const [row] = evalRows(1);
    const missing = { ...row };
    delete missing.age;
    expect((await post('/predict', { rows: [missing] })).status).toBe(400);
    const unknown = await post('/predict', { id: 'u', rows: [{ ...row, housing: 'castle' }] });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ id: 'u', error: expect.stringMatching(/castle/) });
    expect((await post('/predict', { rows: 'x' })).status).toBe(400);
    const big = await post('/predict', { rows: [{ pad: 'x'.repeat(1024 * 1024 + 10) }] });
    expect(big.status).toBe(413);
    expect((await get('/v2/health/ready')).status).toBe(200);
  });
});

describe('/predict labels by task', () => {
  async function predictWith(
    options: Omit<Parameters<typeof createServer>[0], 'modelPath'>,
    model: Uint8Array,
    rows: number,
  ) {
    const path = join(dir, `task-${Math.random().toString(36).slice(2)}.onnx`);
    writeFileSync(path, model);
    const s = createServer({ modelPath: path, ...options });
    await s.ready;
    const { url } = await s.listen(0);
    try {
      const res = await fetch(`${url}/predict`, {
        method: 'POST',
        body: JSON.stringify({ rows: evalRows(rows) }),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    } finally {
      await s.close();
    }
  }

  it('names the negative class from model.classes, else the contract, else `not <positive>`', () => {
    expect(labelsOf(loaded)).toEqual({ negativeLabel: 'good' });
    const classes = {
      ...loaded,
      config: { ...config, model: { ...config.model, classes: ['bad', 'ok'] } },
    };
    expect(labelsOf(classes)).toEqual({ negativeLabel: 'ok' });
    const none = { ...loaded, config: { ...config, data: {} } };
    expect(labelsOf(none)).toEqual({});
    const target = resolveServeTarget(modelPath, join(example, 'modelship.yml'));
    expect(target.negativeLabel).toBe('good');
  });

  it('answers good and bad for the example, as evaluate names its classes', async () => {
    // A threshold at the median score, so that both classes occur.
    const first = (await (await post('/predict', { rows: evalRows(60) })).json()) as {
      probabilities: number[];
    };
    const threshold = [...first.probabilities].sort((a, b) => a - b)[30]!;
    const body = await predictWith(
      { config: { ...config, model: { ...config.model, threshold } }, negativeLabel: 'good' },
      logisticRegressionModel({ weights, bias: -0.3 }),
      60,
    );
    expect(body).toMatchObject({ positive: 'bad', negative: 'good', threshold });
    const labels = body.labels as string[];
    const probabilities = body.probabilities as number[];
    labels.forEach((label, i) =>
      expect(label).toBe(probabilities[i]! >= threshold ? 'bad' : 'good'),
    );
    expect(new Set(labels)).toEqual(new Set(['good', 'bad']));
  });

  it('gives multiclass labels from the class order, and regression values', async () => {
    const multi = {
      ...config,
      model: { ...config.model, task: 'multiclass-classification' as const, positive: undefined },
    };
    const softmax = softmaxRegressionModel({
      weights: weights.map((w, i) => [w, -w, i % 2 ? 0.01 : -0.01]),
      bias: [0, 0.1, -0.1],
    });
    const body = await predictWith({ config: multi, classes: ['a', 'b', 'c'] }, softmax, 5);
    expect(body.classes).toEqual(['a', 'b', 'c']);
    const probabilities = body.probabilities as number[][];
    (body.labels as string[]).forEach((label, i) => {
      const p = probabilities[i]!;
      expect(label).toBe('abc'[p.indexOf(Math.max(...p))]);
    });
    const unnamed = await predictWith({ config: multi, classes: ['only', 'two'] }, softmax, 2);
    expect(unnamed.classes).toEqual(['0', '1', '2']);
    const regression = { ...config, model: { ...config.model, task: 'regression' as const } };
    const linear = await predictWith(
      { config: regression },
      linearRegressionModel({ weights, bias: 1 }),
      3,
    );
    expect(linear.predictions).toHaveLength(3);
    expect(linear).not.toHaveProperty('labels');
  });
});

describe('metrics and logs', () => {
  it('counts requests by route and status in /metrics', async () => {
    const res = await get('/metrics');
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/modelship_requests_total\{route="health_live",status="200"\} \d+/);
    expect(text).toMatch(/modelship_requests_total\{route="infer",status="400"\} \d+/);
    expect(text).toContain('modelship_requests_in_flight 1\n');
    expect(text).toMatch(/modelship_requests_total\{route="predict",status="413"\} 1\n/);
    expect(text).toContain(
      'modelship_request_duration_seconds_bucket{route="infer",status="200",le="+Inf"}',
    );
    expect(text).toMatch(
      /modelship_model_info\{name="credit-risk",version="1.2.0",provider="cpu",sha256="[0-9a-f]{64}"\} 1/,
    );
    expect(logs.some((l) => l.event === 'request' && l.status === 404)).toBe(true);
    // One line per request: time, method, route, status, duration and rows where rows were sent.
    const inferred = logs.find(
      (l) => l.event === 'request' && l.route === 'infer' && l.status === 200,
    );
    expect(inferred).toMatchObject({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      method: 'POST',
      path: '/v2/models/credit-risk/infer',
      status: 200,
      duration_ms: expect.any(Number),
      rows: 2,
    });
    expect(logs.find((l) => l.event === 'model_loaded')).toMatchObject({
      provider: 'cpu',
      providers_tried: ['cpu'],
      predict: true,
    });
  });
});

describe('lifecycle', () => {
  it('is not ready before the model loads, and loses no request in flight on close', async () => {
    const s = createServer({ modelPath, config });
    const { url } = await s.listen(0);
    const early = await fetch(`${url}/v2/health/ready`);
    if (early.status === 503) expect(await early.json()).toEqual({ ready: false });
    await s.ready;
    const rows = 20000;
    const big = JSON.stringify({
      inputs: [
        { name: 'input', shape: [rows, F], datatype: 'FP32', data: new Array(rows * F).fill(0.5) },
      ],
    });
    let received = 0;
    s.server.on('request', () => received++);
    const pending = Array.from({ length: 8 }, () =>
      fetch(`${url}/v2/models/credit-risk/infer`, { method: 'POST', body: big }).then(
        async (r) => ({
          status: r.status,
          body: (await r.json()) as { outputs: { shape: number[] }[] },
        }),
      ),
    );
    while (received < 8) await new Promise((r) => setTimeout(r, 2));
    await s.close();
    const results = await Promise.all(pending);
    for (const r of results) {
      expect(r.status).toBe(200);
      expect(r.body.outputs[0]!.shape).toEqual([rows, 2]);
    }
    await expect(fetch(`${url}/v2/health/live`)).rejects.toThrow();
  });

  it('serves a bare model without a config over OIP, and resolves bundles', async () => {
    const bundle = join(dir, 'bundle');
    mkdirSync(bundle);
    copyFileSync(modelPath, join(bundle, 'model.onnx'));
    copyFileSync(join(example, 'modelship.yml'), join(bundle, 'modelship.yml'));
    writeFileSync(join(bundle, 'manifest.json'), JSON.stringify({ version: '2.0.1' }));
    const target = resolveServeTarget(bundle);
    expect(target.version).toBe('2.0.1');
    expect(target.config?.model.name).toBe('credit-risk');
    expect(() => resolveServeTarget(join(dir, 'missing'))).toThrow(/not found/);
    const s = createServer({ modelPath });
    await s.ready;
    const { url } = await s.listen(0);
    try {
      expect(s.name).toBe('model');
      const res = await fetch(`${url}/v2/models/model/infer`, {
        method: 'POST',
        body: JSON.stringify({
          inputs: [{ name: 'input', shape: [1, F], datatype: 'FP32', data: matrix[0] }],
        }),
      });
      expect(res.status).toBe(200);
      const p = await fetch(`${url}/predict`, { method: 'POST', body: '{"rows": []}' });
      expect(p.status).toBe(400);
    } finally {
      await s.close();
    }
  });
});
