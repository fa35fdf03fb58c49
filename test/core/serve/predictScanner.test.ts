// /predict reads plain bodies with its scanner and anything else with JSON.parse: the same rows
// sent both ways (a backslash-escaped extra field sends a body to JSON.parse) get the same answer,
// and the same 400 message when a row is wrong.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { exampleEvalRows } from '../../support/exampleRows.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const { config } = loadConfig(join('examples/credit-risk', 'modelship.yml'));
const F = featureWidth(config.model.features!);
const modelPath = join(dir, 'model.onnx');
writeFileSync(
  modelPath,
  logisticRegressionModel({
    weights: Array.from({ length: F }, (_, i) => (i === 1 ? 1e-4 : ((i * 37) % 11) / 50 - 0.1)),
    bias: -0.3,
  }),
);

let server: ModelServer;
let base: string;
beforeAll(async () => {
  server = createServer({ modelPath, config, modelVersion: '1' });
  await server.ready;
  base = (await server.listen(0, '127.0.0.1')).url;
});
afterAll(() => server.close());

/** The answer to `rows` sent as a plain body (scanned) and with an escaped field (JSON.parse). */
async function bothWays(rows: string): Promise<[unknown, unknown]> {
  const answers = [];
  for (const extra of ['"note":"plain"', '"note":"\\u0065scaped"']) {
    const body = `{"id":"same",${extra},"rows":${rows}}`;
    // The scanner reads bodies of 2 KiB or more (JSON.parse reads a few rows faster).
    expect(body.length).toBeGreaterThan(2048);
    const res = await fetch(`${base}/predict`, { method: 'POST', body });
    answers.push({ status: res.status, body: (await res.json()) as unknown });
  }
  return answers as [unknown, unknown];
}

describe('/predict by the scanner and by JSON.parse', () => {
  it('answers the same 300 example rows the same way, numbers as text and as numbers', async () => {
    const rows = exampleEvalRows(300);
    const numeric = rows.map((row) =>
      Object.fromEntries(
        Object.entries(row).map(([k, v]) => [
          k,
          v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
        ]),
      ),
    );
    for (const form of [rows, numeric]) {
      const [scanned, parsed] = await bothWays(JSON.stringify(form));
      expect(scanned).toMatchObject({ status: 200 });
      expect(scanned).toEqual(parsed);
    }
  });

  it('answers rows with reordered, repeated and missing keys, strings for numbers, the same way', async () => {
    const [a, b] = exampleEvalRows(2) as Record<string, unknown>[];
    const reordered = Object.fromEntries(Object.entries(a!).reverse());
    const text = [
      JSON.stringify(a),
      JSON.stringify(reordered),
      // A repeated key: the last value counts.
      JSON.stringify(b).replace('{', '{"age":1e9,'),
      JSON.stringify({ ...b, age: String(b!.age), duration: ` ${String(b!.duration)} ` }),
      ...exampleEvalRows(12).map((row) => JSON.stringify(row)),
    ].join(',');
    const [scanned, parsed] = await bothWays(`[${text}]`);
    expect(scanned).toMatchObject({ status: 200 });
    expect(scanned).toEqual(parsed);
  });

  it.each([
    ['a missing value', (r: Record<string, unknown>) => ({ ...r, age: null })],
    ['an absent column', (r: Record<string, unknown>) => ({ ...r, age: undefined })],
    ['an unknown category', (r: Record<string, unknown>) => ({ ...r, housing: 'castle' })],
    ['text for a number', (r: Record<string, unknown>) => ({ ...r, duration: 'long' })],
    ['a boolean category', (r: Record<string, unknown>) => ({ ...r, housing: true })],
  ])('gives the same 400 for %s in row 3', async (_, edit) => {
    const rows = exampleEvalRows(12) as Record<string, unknown>[];
    rows[2] = edit(rows[2]!);
    const [scanned, parsed] = await bothWays(JSON.stringify(rows));
    expect(scanned).toMatchObject({ status: 400, body: { error: expect.stringMatching(/row 3/) } });
    expect(scanned).toEqual(parsed);
  });
});
