import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { routingBucket, routesToCanary } from '../../../src/core/serve/canary.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { exampleEvalRows } from '../../support/exampleRows.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const example = 'examples/credit-risk';
const { config } = loadConfig(join(example, 'modelship.yml'));
const F = featureWidth(config.model.features!);
const primaryPath = join(dir, 'primary.onnx');
const canaryPath = join(dir, 'canary.onnx');
const weights = Array.from({ length: F }, (_, i) => ((i * 37) % 11) / 50 - 0.1);
weights[1] = 1e-4; // credit_amount is in the thousands
writeFileSync(primaryPath, logisticRegressionModel({ weights, bias: -0.3 }));
writeFileSync(canaryPath, logisticRegressionModel({ weights, bias: 0.9 }));

const [row] = exampleEvalRows(1);

describe('routingBucket', () => {
  it('is FNV-1a (32-bit) of the UTF-8 key, modulo 10,000', () => {
    // Published FNV-1a test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(routingBucket('')).toBe(0x811c9dc5 % 10_000);
    expect(routingBucket('a')).toBe(0xe40c292c % 10_000);
    expect(routingBucket('foobar')).toBe(0xbf9cf968 % 10_000);
    expect(routesToCanary('anything', 0)).toBe(false);
    expect(routesToCanary('anything', 100)).toBe(true);
  });
});

describe('--canary', () => {
  const percent = 20;
  let server: ModelServer;
  let base: string;
  beforeAll(async () => {
    server = createServer({
      modelPath: primaryPath,
      config,
      modelVersion: '1.0.0',
      canary: { modelPath: canaryPath, config, modelVersion: '2.0.0', percent },
    });
    await server.ready;
    base = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(() => server.close());

  async function predict(body: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${base}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as {
      id: string;
      model_name: string;
      model_version: string;
      probabilities: number[];
    };
    return {
      json,
      model: res.headers.get('x-modelship-model'),
      version: res.headers.get('x-modelship-model-version'),
      requestId: res.headers.get('x-request-id'),
    };
  }

  it(`sends ${percent}% ±3 of 10,000 requests to the canary, by request id`, async () => {
    const versions: string[] = [];
    const ids = Array.from({ length: 10_000 }, () => randomUUID());
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const { json, version, requestId } = await predict({ id, rows: [row] });
          expect(json.id).toBe(id);
          expect(requestId).toBe(id);
          // The body and the header name the same model; the id decides which.
          expect(version).toBe(json.model_version);
          expect(json.model_version).toBe(routesToCanary(id, percent) ? '2.0.0' : '1.0.0');
          versions.push(json.model_version);
        }
      }),
    );
    const share = (100 * versions.filter((v) => v === '2.0.0').length) / versions.length;
    expect(versions).toHaveLength(10_000);
    expect(Math.abs(share - percent)).toBeLessThanOrEqual(3);
  }, 120_000);

  it('keeps a routing key on one model, whatever the request id', async () => {
    const seen = new Map<string, Set<string>>();
    for (let user = 0; user < 40; user++) {
      const key = `user-${user}`;
      for (let i = 0; i < 5; i++) {
        const { json } = await predict(
          { id: randomUUID(), rows: [row] },
          { 'x-modelship-routing-key': key },
        );
        if (!seen.has(key)) seen.set(key, new Set());
        seen.get(key)!.add(json.model_version);
      }
    }
    for (const versions of seen.values()) expect(versions.size).toBe(1);
    // Both models are reached across the keys.
    const all = new Set([...seen.values()].flatMap((v) => [...v]));
    expect([...all].sort()).toEqual(['1.0.0', '2.0.0']);
  });

  it('answers with the model that served: its own probabilities, name and version', async () => {
    const canaryKey = Array.from({ length: 200 }, (_, i) => `k${i}`).find((k) =>
      routesToCanary(k, percent),
    )!;
    const primaryKey = Array.from({ length: 200 }, (_, i) => `k${i}`).find(
      (k) => !routesToCanary(k, percent),
    )!;
    const onCanary = await predict({ rows: [row] }, { 'x-modelship-routing-key': canaryKey });
    const onPrimary = await predict({ rows: [row] }, { 'x-modelship-routing-key': primaryKey });
    expect(onCanary.model).toBe('credit-risk');
    expect(onCanary.version).toBe('2.0.0');
    expect(onPrimary.version).toBe('1.0.0');
    // Same weights, bias 0.9 against −0.3: logit(p) differs by exactly 1.2.
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(
      logit(onCanary.json.probabilities[0]!) - logit(onPrimary.json.probabilities[0]!),
    ).toBeCloseTo(1.2, 4);
  });

  it('serves a version the path names from that model, and 404 for one it does not serve', async () => {
    const body = (id: string) => ({
      id,
      inputs: [{ name: 'input', shape: [1, F], datatype: 'FP32', data: Array(F).fill(0) }],
    });
    for (const version of ['1.0.0', '2.0.0']) {
      const res = await fetch(`${base}/v2/models/credit-risk/versions/${version}/infer`, {
        method: 'POST',
        body: JSON.stringify(body('x')),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { model_version: string }).model_version).toBe(version);
    }
    const missing = await fetch(`${base}/v2/models/credit-risk/versions/3.0.0/infer`, {
      method: 'POST',
      body: JSON.stringify(body('x')),
    });
    expect(missing.status).toBe(404);
  });

  it('refuses a percentage outside 0 to 100, and a canary beside a shadow', () => {
    expect(() =>
      createServer({ modelPath: primaryPath, canary: { modelPath: canaryPath, percent: 101 } }),
    ).toThrow(/--canary-percent 101 is not a percentage/);
    expect(() =>
      createServer({
        modelPath: primaryPath,
        canary: { modelPath: canaryPath, percent: 5 },
        shadow: { modelPath: canaryPath },
      }),
    ).toThrow(/--shadow and --canary were both given/);
  });
});
