import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { exampleEvalRows } from '../../support/exampleRows.js';
import { useTempDir } from '../../support/tempDir.js';

// Two real models of the example config: the primary, and a shadow with other weights, so the
// two disagree on some rows. The shadow's answers are checked against the logistic formula.
const dir = useTempDir();
const example = 'examples/credit-risk';
const { config } = loadConfig(join(example, 'modelship.yml'));
const F = featureWidth(config.model.features!);
const weightsOf = (seed: number) =>
  Array.from({ length: F }, (_, i) => (((i + seed) * 37) % 11) / 50 - 0.1);
const primaryPath = join(dir, 'primary.onnx');
const shadowPath = join(dir, 'shadow.onnx');
const shadowWeights = weightsOf(3);
writeFileSync(primaryPath, logisticRegressionModel({ weights: weightsOf(0), bias: -0.3 }));
writeFileSync(shadowPath, logisticRegressionModel({ weights: shadowWeights, bias: 0.4 }));
// A model of another width: every infer request the primary takes is wrong for it.
const widePath = join(dir, 'wide.onnx');
writeFileSync(widePath, logisticRegressionModel({ weights: weightsOf(1).concat([0.1]), bias: 0 }));

const evalRows = exampleEvalRows;

const matrixRows = (n: number) =>
  Array.from({ length: n }, (_, r) => Array.from({ length: F }, (_, i) => ((r + 1) * i) / 13));
const inferBody = (id: string, rows: number[][]) => ({
  id,
  inputs: [{ name: 'input', shape: [rows.length, F], datatype: 'FP32', data: rows.flat() }],
});

interface Started {
  server: ModelServer;
  base: string;
}
async function start(options: Omit<Parameters<typeof createServer>[0], 'modelPath'>) {
  const server = createServer({ modelPath: primaryPath, modelVersion: '1.0.0', ...options });
  await server.ready;
  return { server, base: (await server.listen(0, '127.0.0.1')).url };
}

/** The status, the headers that do not change between runs, and the exact bytes of the body. */
async function call(s: Started, path: string, body: unknown) {
  const res = await fetch(s.base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const headers = Object.fromEntries(
    [...res.headers].filter(([k]) => !['date', 'keep-alive', 'connection'].includes(k)),
  );
  return { status: res.status, headers, text: await res.text() };
}

const metricOf = (text: string, line: string) => {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
};

interface Half {
  model: string;
  version: string;
  error?: string;
  body: { labels: string[]; probabilities: number[]; outputs: { data: number[] }[] };
}
interface LogLine {
  id: string;
  route: string;
  rows: number;
  primary: Half;
  shadow: Half;
  agreement?: { labels: number; agreed: number; max_score_difference: number | null };
}

function readLog(path: string): LogLine[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine);
}

describe('--shadow', () => {
  const logFile = join(dir, 'shadow.jsonl');
  let plain: Started;
  let shadowed: Started;
  const requests: [string, unknown][] = [
    ['/predict', { id: 'p-1', rows: evalRows(1) }],
    ['/predict', { id: 'p-5', rows: evalRows(5) }],
    ['/v2/models/credit-risk/infer', inferBody('i-3', matrixRows(3))],
    // An error is answered the same way too.
    ['/predict', { id: 'bad', rows: [{ duration: 'twelve' }] }],
  ];

  beforeAll(async () => {
    plain = await start({ config });
    shadowed = await start({
      config,
      shadow: { modelPath: shadowPath, config, modelVersion: '2.0.0', logFile },
    });
  });
  afterAll(async () => {
    await plain.server.close();
    await shadowed.server.close();
  });

  it('answers exactly as the primary alone does, byte for byte', async () => {
    for (const [path, body] of requests) {
      const alone = await call(plain, path, body);
      const withShadow = await call(shadowed, path, body);
      expect(withShadow).toEqual(alone);
    }
    expect((await call(plain, requests[0]![0], requests[0]![1])).status).toBe(200);
  });

  it('logs both answers keyed by request id, and compares them on /metrics', async () => {
    await shadowed.server.close();
    const lines = readLog(logFile);
    const byId = new Map(lines.map((l) => [l.id, l]));
    // The failed request never reached a model: nothing to compare.
    expect([...byId.keys()].sort()).toEqual(['i-3', 'p-1', 'p-5']);
    const p5 = byId.get('p-5')!;
    expect(p5.route).toBe('predict');
    expect(p5.rows).toBe(5);
    expect(p5.primary).toMatchObject({ model: 'credit-risk', version: '1.0.0' });
    expect(p5.shadow).toMatchObject({ model: 'credit-risk', version: '2.0.0' });
    // The primary's half is what the client got.
    const answered = JSON.parse((await call(plain, '/predict', requests[1]![1])).text);
    expect(p5.primary.body.probabilities).toEqual(answered.probabilities);
    expect(p5.primary.body.labels).toEqual(answered.labels);
    // The shadow's half is the shadow model's own answer: the logistic formula of its weights.
    const infer = byId.get('i-3')!;
    const expected = matrixRows(3).map((row) => {
      const z = row.reduce((s, x, i) => s + Math.fround(x) * shadowWeights[i]!, 0.4);
      return 1 / (1 + Math.exp(-z));
    });
    const shadowP = infer.shadow.body.outputs[0]!.data;
    expected.forEach((p, r) => {
      expect(shadowP[r * 2 + 1]).toBeCloseTo(p, 5);
      expect(shadowP[r * 2]).toBeCloseTo(1 - p, 5);
    });
    // Agreement per line: labels counted and agreed, and the largest |Δ P(positive)|.
    const labels = (l: LogLine) => l.primary.body.labels;
    const agreed = labels(p5).filter((x, i) => x === p5.shadow.body.labels[i]).length;
    expect(p5.agreement!.labels).toBe(5);
    expect(p5.agreement!.agreed).toBe(agreed);
    const deltas = (p5.primary.body.probabilities as number[]).map((p, i) =>
      Math.abs(p - p5.shadow.body.probabilities[i]!),
    );
    expect(p5.agreement!.max_score_difference).toBeCloseTo(Math.max(...deltas), 12);
  });

  it('counts agreement, score differences and each model’s latency on /metrics', async () => {
    const logged = join(dir, 'metrics.jsonl');
    const s = await start({
      config,
      shadow: { modelPath: shadowPath, config, modelVersion: '2.0.0', logFile: logged },
    });
    const rows = evalRows(40);
    await call(s, '/predict', { id: 'm', rows });
    // Scored after the answer: wait for the log line.
    for (let i = 0; i < 100 && !readFileSync(logged, 'utf8'); i++)
      await new Promise((r) => setTimeout(r, 20));
    const text = await (await fetch(`${s.base}/metrics`)).text();
    await s.server.close();
    const [line] = readLog(logged);
    const agree = (line!.primary.body.labels as string[]).filter(
      (x, i) => x === line!.shadow.body.labels[i],
    ).length;
    expect(metricOf(text, 'modelship_shadow_requests_total{outcome="compared"}')).toBe(1);
    expect(metricOf(text, 'modelship_shadow_labels_compared_total')).toBe(40);
    expect(metricOf(text, 'modelship_shadow_labels_agreed_total')).toBe(agree);
    expect(metricOf(text, 'modelship_shadow_label_agreement_ratio')).toBeCloseTo(agree / 40, 12);
    const deltas = (line!.primary.body.probabilities as number[]).map((p, i) =>
      Math.abs(p - line!.shadow.body.probabilities[i]!),
    );
    expect(metricOf(text, 'modelship_shadow_score_difference_count')).toBe(40);
    expect(metricOf(text, 'modelship_shadow_score_difference_bucket{le="0.1"}')).toBe(
      deltas.filter((d) => d <= 0.1).length,
    );
    for (const role of ['primary', 'shadow']) {
      const version = role === 'primary' ? '1.0.0' : '2.0.0';
      expect(
        metricOf(
          text,
          `modelship_model_duration_seconds_count{role="${role}",model="credit-risk",version="${version}"}`,
        ),
      ).toBe(1);
    }
  });

  it('a shadow that fails changes no answer: the failure is logged and counted', async () => {
    const logged = join(dir, 'failing.jsonl');
    const alone = await start({});
    const failing = await start({ shadow: { modelPath: widePath, logFile: logged } });
    const body = inferBody('f-1', matrixRows(2));
    const expected = await call(alone, '/v2/models/primary/infer', body);
    expect(expected.status).toBe(200);
    expect(await call(failing, '/v2/models/primary/infer', body)).toEqual(expected);
    await failing.server.close();
    await alone.server.close();
    const [line] = readLog(logged);
    expect(line!.id).toBe('f-1');
    expect(line!.primary.body.outputs).toEqual(JSON.parse(expected.text).outputs);
    expect(line!.shadow.error).toMatch(/input/);
    expect(line!.agreement).toBeUndefined();
  });

  it('drops (and counts) what does not fit its queue, still answering every request', async () => {
    const logged = join(dir, 'dropped.jsonl');
    const s = await start({
      config,
      shadow: { modelPath: shadowPath, config, logFile: logged, queueSize: 0 },
    });
    for (let i = 0; i < 3; i++)
      expect((await call(s, '/predict', { rows: evalRows(2) })).status).toBe(200);
    const text = await (await fetch(`${s.base}/metrics`)).text();
    await s.server.close();
    expect(metricOf(text, 'modelship_shadow_requests_total{outcome="dropped"}')).toBe(3);
    expect(metricOf(text, 'modelship_shadow_requests_total{outcome="compared"}')).toBe(0);
    expect(readFileSync(logged, 'utf8')).toBe('');
  });

  it('refuses a shadow without modelship.yml when the primary answers /predict', () => {
    expect(() =>
      createServer({ modelPath: primaryPath, config, shadow: { modelPath: shadowPath } }),
    ).toThrow(/--shadow .*shadow\.onnx: has no modelship\.yml/);
  });

  it('refuses a log it cannot write, in one sentence', () => {
    expect(() =>
      createServer({
        modelPath: primaryPath,
        shadow: { modelPath: shadowPath, logFile: join(dir, 'missing', 'x.jsonl') },
      }),
    ).toThrow(/--shadow-log .*x\.jsonl: cannot be opened for appending \(ENOENT\)/);
  });
});

describe('--added-latency-ms', () => {
  it('delays inference answers, and only those', async () => {
    const s = await start({ config, addedLatencyMs: 300 });
    const started = performance.now();
    expect((await call(s, '/predict', { rows: evalRows(1) })).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    const health = performance.now();
    expect((await fetch(`${s.base}/v2/health/ready`)).status).toBe(200);
    expect(performance.now() - health).toBeLessThan(300);
    await s.server.close();
  });
});
