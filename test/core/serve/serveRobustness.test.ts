import { request } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { ModelRunner } from '../../../src/core/serve/modelRunner.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { CREDIT_RISK_ROW } from '../../fixtures/models/creditRiskRow.js';
import { pick, randomInt, seededRandom } from '../../support/prng.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const { config } = loadConfig('examples/credit-risk/modelship.yml');
const F = featureWidth(config.model.features!);
const weights = Array.from({ length: F }, (_, i) => ((i * 37) % 11) / 50 - 0.1);
const modelPath = join(dir, 'model.onnx');
writeFileSync(modelPath, logisticRegressionModel({ weights, bias: -0.3 }));
const INFER = '/v2/models/credit-risk/infer';

const row = (seed: number) => Array.from({ length: F }, (_, i) => ((seed * 7 + i * 3) % 13) / 13);
const validInfer = (rows = 1, seed = 1) => ({
  id: `ok-${seed}`,
  inputs: [
    {
      name: 'input',
      shape: [rows, F],
      datatype: 'FP32',
      data: Array.from({ length: rows }, (_, r) => row(seed + r)),
    },
  ],
});
const validRow = CREDIT_RISK_ROW;

async function startServer(options: Partial<Parameters<typeof createServer>[0]> = {}) {
  const server = createServer({ modelPath, config, ...options });
  await server.ready;
  return { server, url: (await server.listen(0)).url };
}

/** A random JSON value of bounded depth: what a confused client might send. */
function randomJson(random: () => number, depth = 0): unknown {
  const kind = randomInt(random, 0, depth > 2 ? 4 : 6);
  if (kind === 0) return null;
  if (kind === 1) return random() < 0.5;
  if (kind === 2) return pick(random, [0, -1, 1e308, 3.5, 2 ** 53 + 2, -0]);
  if (kind === 3) return pick(random, ['', 'FP32', 'input', '\u0000', 'x'.repeat(50), '[]']);
  if (kind === 4) return [];
  if (kind === 5) {
    return Array.from({ length: randomInt(random, 0, 4) }, () => randomJson(random, depth + 1));
  }
  const keys = ['inputs', 'outputs', 'rows', 'id', 'shape', 'data', 'datatype', 'name', 'z'];
  return Object.fromEntries(
    Array.from({ length: randomInt(random, 0, 4) }, () => [
      pick(random, keys),
      randomJson(random, depth + 1),
    ]),
  );
}

/** A valid infer request with one thing broken. */
function brokenInfer(random: () => number): unknown {
  const body = validInfer(randomInt(random, 1, 3), randomInt(random, 0, 99)) as {
    inputs: Record<string, unknown>[];
    [key: string]: unknown;
  };
  const input = body.inputs[0]!;
  const field = pick(random, ['name', 'shape', 'datatype', 'data', 'inputs', 'outputs', 'id']);
  if (field === 'inputs') body.inputs = pick(random, [[], [input, input], 'x', [null]]) as never;
  else if (field === 'outputs') body.outputs = [{ name: pick(random, ['', 'label', 'x']) }];
  else if (field === 'id') body.id = pick(random, [5, null, {}, []]);
  else if (field === 'shape') {
    input.shape = pick(random, [
      [],
      [1],
      [-1, F],
      [1, F + randomInt(random, 1, 5)],
      [1e9, F],
      [2 ** 31, 2 ** 31],
      [1, F, 1],
      [0.5, F],
      'x',
    ]);
  } else if (field === 'datatype') {
    input.datatype = pick(random, ['BYTES', 'fp', '', 'UINT8', 'BOOL', 'FP16', 7]);
  } else if (field === 'name') input.name = pick(random, ['x', '', 3, null]);
  else {
    const data = input.data as unknown[];
    input.data = pick(random, [
      'x',
      {},
      [],
      data.flat().slice(1),
      [...data.flat(), 1],
      data.flat().map((v, i) => (i === 3 ? pick(random, ['1', null, true, [], {}]) : v)),
      [[data.flat()]],
    ]);
  }
  return body;
}

function brokenPredict(random: () => number): unknown {
  const r: Record<string, unknown> = { ...validRow };
  const column = pick(random, Object.keys(validRow));
  if (random() < 0.5) delete r[column];
  else r[column] = pick(random, ['castle', null, [], {}, 'NaN', '', true, -1e308]);
  return pick(random, [
    { rows: [r] },
    { rows: r },
    { rows: [r, 5] },
    { rows: 'x' },
    { rows: [r], id: 5 },
  ]);
}

describe('a server under 10,000 random malformed requests', () => {
  let server: ModelServer;
  let url: string;
  beforeAll(async () => ({ server, url } = await startServer()));
  afterAll(() => server.close());

  it('answers each with a 4xx and a reason, and serves normally after', async () => {
    const random = seededRandom(20261122);
    const paths = [INFER, '/predict', '/v2/models/credit-risk/versions/1/infer'];
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let next = 0;
    const N = 10_000;
    const one = async () => {
      const kind = randomInt(random, 0, 9);
      let path = pick(random, paths);
      let method = 'POST';
      let body: string | Uint8Array | undefined;
      if (kind === 0) {
        body = Uint8Array.from({ length: randomInt(random, 0, 300) }, () =>
          randomInt(random, 0, 255),
        );
      } else if (kind === 1) body = JSON.stringify(randomJson(random));
      else if (kind <= 4) body = JSON.stringify(brokenInfer(random));
      else if (kind <= 6) {
        path = '/predict';
        body = JSON.stringify(brokenPredict(random));
      } else if (kind === 7) {
        const text = JSON.stringify(validInfer(2));
        body = text.slice(0, randomInt(random, 0, text.length - 1));
      } else if (kind === 8) {
        method = pick(random, ['GET', 'PUT', 'DELETE', 'PATCH']);
        path = pick(random, [...paths, '/v2/health/live', '/metrics', '/v2/models/credit-risk']);
        if (method !== 'GET') body = '{}';
      } else {
        path = pick(random, [
          '/v2/models/nope/infer',
          '/v2/models/%E0%A4%A/infer',
          '/v2/models/credit-risk/versions/2/ready',
          '/v3',
          '/v2/models/credit-risk/infer/x',
          '/',
        ]);
        body = JSON.stringify(validInfer());
        if (random() < 0.02) {
          path = pick(random, paths);
          body = JSON.stringify({ pad: 'x'.repeat(16 * 1024 * 1024 + 1) });
        }
      }
      const res = await fetch(url + path, { method, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 500) problems.push(`${method} ${path} → ${res.status}: ${text}`);
      else if (res.status >= 400 && path !== '/metrics' && !/"error":"[^"]/.test(text)) {
        problems.push(`${method} ${path} → ${res.status} without an error message: ${text}`);
      }
    };
    const worker = async () => {
      while (next < N) {
        next++;
        await one();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(problems.slice(0, 5)).toEqual([]);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(N);
    for (const status of [400, 404, 405, 413]) expect(statuses.get(status)).toBeGreaterThan(0);
    expect([...statuses.keys()].every((s) => [200, 400, 404, 405, 413].includes(s))).toBe(true);
    // Broken requests may repair themselves by chance (a valid shape drawn anew); few do.
    expect(statuses.get(200) ?? 0).toBeLessThan(N / 10);

    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    const ok = await fetch(url + INFER, { method: 'POST', body: JSON.stringify(validInfer(3)) });
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).not.toMatch(/status="5\d\d"/);
  }, 120_000);
});

describe('request timeout', () => {
  it('answers 504 to a request not answered in time and stays healthy', async () => {
    const { server, url } = await startServer({ requestTimeoutMs: 100 });
    try {
      // A client that sends half a body and stalls: the timeout, not the client, ends it.
      const { port } = new URL(url);
      const stalled = await new Promise<{ status: number; body: string; closed: boolean }>(
        (resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port,
              method: 'POST',
              path: INFER,
              headers: { 'content-type': 'application/json', 'content-length': 100_000 },
            },
            (res) => {
              let body = '';
              res.on('data', (chunk: Buffer) => (body += chunk.toString()));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  body,
                  closed: res.headers.connection === 'close',
                }),
              );
            },
          );
          req.on('error', reject);
          req.write('{"inputs": [');
        },
      );
      expect(stalled.status).toBe(504);
      expect(JSON.parse(stalled.body)).toEqual({
        error:
          'the request was not answered within the limit of 100 ms; retry, or send fewer rows per request.',
      });
      expect(stalled.closed).toBe(true);
      expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
      const ok = await fetch(url + INFER, { method: 'POST', body: JSON.stringify(validInfer()) });
      expect(ok.status).toBe(200);
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(
        /modelship_requests_total\{route="infer",status="504"\} 1\n/,
      );
    } finally {
      await server.close();
    }
  });

  it('does not start a run whose deadline has passed', async () => {
    const { session, runs } = fakeSession();
    const runner = new ModelRunner(session);
    const input = new Tensor('float32', new Float32Array(2), [1, 2]);
    await expect(runner.run({ x: input }, ['y'], 1, performance.now() - 1)).rejects.toMatchObject({
      status: 504,
    });
    expect(runs.length).toBe(0);
  });
});

/** A stand-in for an InferenceSession: y = 2x per element, recording each run's row count. */
function fakeSession(options: { failOn?: number; squash?: boolean } = {}) {
  const runs: number[] = [];
  const session = {
    inputNames: ['x'],
    inputMetadata: [{ name: 'x', isTensor: true, type: 'float32', shape: ['N', 2] }],
    async run(feeds: Record<string, Tensor>) {
      const x = feeds.x!;
      const data = x.data as Float32Array;
      runs.push(x.dims[0]!);
      if (options.failOn !== undefined && data.includes(options.failOn)) throw new Error('bad row');
      const y = Float32Array.from(data, (v) => v * 2);
      return {
        y: new Tensor(
          'float32',
          options.squash ? y.subarray(0, 2) : y,
          options.squash ? [1, 2] : x.dims,
        ),
      };
    },
  } as unknown as InferenceSession;
  return { session, runs };
}

describe('micro-batching', () => {
  const requests = (runner: ModelRunner, n: number) =>
    Array.from({ length: n }, (_, i) =>
      runner.run(
        { x: new Tensor('float32', Float32Array.from([i, i + 0.5]), [1, 2]) },
        ['y'],
        1,
        performance.now() + 60_000,
      ),
    );

  it('merges requests that arrive together into one run and slices the outputs back', async () => {
    const { session, runs } = fakeSession();
    const runner = new ModelRunner(session, { windowMs: 0 });
    expect(runner.batching).toBe(true);
    const out = await Promise.all(requests(runner, 10));
    expect(runs).toEqual([10]);
    out.forEach((o, i) => {
      expect(o.y!.dims).toEqual([1, 2]);
      expect(Array.from(o.y!.data as Float32Array)).toEqual([2 * i, 2 * i + 1]);
    });
  });

  it('runs each alone when the merged run fails, so only the bad one fails', async () => {
    const { session, runs } = fakeSession({ failOn: 3 });
    const runner = new ModelRunner(session, { windowMs: 0 });
    const out = await Promise.allSettled(requests(runner, 5));
    expect(runs).toEqual([5, 1, 1, 1, 1, 1]);
    expect(out.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
  });

  it('runs each alone, and merges no more, when an output has no row per input row', async () => {
    const { session, runs } = fakeSession({ squash: true });
    const runner = new ModelRunner(session, { windowMs: 0 });
    await Promise.all(requests(runner, 3));
    expect(runs).toEqual([3, 1, 1, 1]);
    // ... and stops merging for that model.
    expect(runner.batching).toBe(false);
    await Promise.all(requests(runner, 2));
    expect(runs).toEqual([3, 1, 1, 1, 1, 1]);
  });

  it('gives over HTTP the same answers as a server without it', async () => {
    const plain = await startServer();
    const batched = await startServer({ microBatch: { windowMs: 2 } });
    try {
      const send = (url: string, i: number) =>
        i % 3 === 0
          ? fetch(`${url}/predict`, {
              method: 'POST',
              body: JSON.stringify({ rows: [{ ...validRow, age: 20 + i }] }),
            })
          : fetch(url + INFER, {
              method: 'POST',
              body: JSON.stringify(validInfer(i % 5 === 0 ? 20 : 1, i)),
            });
      const answers = async (url: string) =>
        Promise.all(
          Array.from({ length: 60 }, async (_, i) => {
            const res = await send(url, i);
            const body = (await res.json()) as Record<string, unknown>;
            delete body.id;
            return { status: res.status, body };
          }),
        );
      const [a, b] = [await answers(plain.url), await answers(batched.url)];
      expect(b).toEqual(a);
      expect(a.every((r) => r.status === 200)).toBe(true);
    } finally {
      await plain.server.close();
      await batched.server.close();
    }
  });
});
