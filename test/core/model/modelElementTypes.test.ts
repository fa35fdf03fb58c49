import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { ModelshipError } from '../../../src/core/errors.js';
import { buildFeatureMatrix, featureWidth } from '../../../src/core/model/featureMatrix.js';
import { loadOnnxModel } from '../../../src/core/model/onnxModel.js';
import {
  buildOnnxModel,
  logisticRegressionModel,
  type Dim,
  type ElemType,
} from '../../../src/core/model/onnxWriter.js';
import { predict } from '../../../src/core/model/predict.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const CODES = { float: 1, double: 11 } as const;

/**
 * Logistic regression [N, 2] (1 − p, p) whose input has the given element type and batch
 * dimension, computed in `compute` (a torch `model.double()` computes in float64); an input of
 * another type is cast first, as an exporter does for an int input.
 */
function lrModel(
  weights: readonly number[],
  bias: number,
  options: { input?: ElemType; compute?: 'float' | 'double'; batch?: Dim } = {},
): Uint8Array {
  const input = options.input ?? 'float';
  const compute = options.compute ?? 'float';
  const batch = options.batch ?? 'N';
  const nodes = [];
  let x = 'input';
  if (input !== compute) {
    nodes.push({
      opType: 'Cast',
      inputs: ['input'],
      outputs: ['x'],
      attributes: { to: { int: CODES[compute] } },
    });
    x = 'x';
  }
  nodes.push(
    { opType: 'MatMul', inputs: [x, 'w'], outputs: ['z'] },
    { opType: 'Add', inputs: ['z', 'b'], outputs: ['logit'] },
    { opType: 'Sigmoid', inputs: ['logit'], outputs: ['p'] },
    { opType: 'Sub', inputs: ['one', 'p'], outputs: ['q'] },
    {
      opType: 'Concat',
      inputs: ['q', 'p'],
      outputs: ['probabilities'],
      attributes: { axis: { int: 1 } },
    },
  );
  return buildOnnxModel({
    inputs: [{ name: 'input', elemType: input, shape: [batch, weights.length] }],
    outputs: [{ name: 'probabilities', elemType: compute, shape: [batch, 2] }],
    nodes,
    initializers: [
      { name: 'w', dims: [weights.length, 1], data: weights, elemType: compute },
      { name: 'b', dims: [1], data: [bias], elemType: compute },
      { name: 'one', dims: [1], data: [1], elemType: compute },
    ],
  });
}

function write(name: string, bytes: Uint8Array): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/** Whole-valued features in [-5, 5] (an int model's input), from a small LCG. */
function intMatrix(seed: number, rows: number, width: number): Float32Array {
  const out = new Float32Array(rows * width);
  let s = seed;
  for (let i = 0; i < out.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = (s % 11) - 5;
  }
  return out;
}

async function scores(path: string, matrix: Float32Array, rows: number): Promise<Float64Array> {
  const model = await loadOnnxModel(path, { features: 3 });
  try {
    const out = await predict(model, matrix, rows, 'binary-classification');
    if (out.kind !== 'binary') throw new Error('binary expected');
    return out.scores;
  } finally {
    await model.release();
  }
}

describe('models of other element types and fixed batch sizes', () => {
  const weights = [0.25, -0.5, 0.125];
  const bias = 0.1;
  const reference = write('float32.onnx', logisticRegressionModel({ weights, bias }));
  const variants: [string, Uint8Array][] = [
    ['float64 (model.double())', lrModel(weights, bias, { input: 'double', compute: 'double' })],
    ['float64 input, float32 inside', lrModel(weights, bias, { input: 'double' })],
    ['int64 input', lrModel(weights, bias, { input: 'int64' })],
    ['int32 input', lrModel(weights, bias, { input: 'int32' })],
    ['fixed batch [1, F]', lrModel(weights, bias, { batch: 1 })],
    ['fixed batch [4, F]', lrModel(weights, bias, { batch: 4 })],
    ['int64 input, fixed batch [4, F]', lrModel(weights, bias, { input: 'int64', batch: 4 })],
  ];

  for (const [what, bytes] of variants) {
    it(`predicts as the float32 dynamic model does: ${what}`, async () => {
      const path = write(`${what.replace(/\W+/g, '_')}.onnx`, bytes);
      for (const rows of [1, 3, 4, 5, 1000]) {
        const x = intMatrix(rows, rows, 3);
        const expected = await scores(reference, x, rows);
        const actual = await scores(path, x, rows);
        expect(actual).toHaveLength(rows);
        for (let i = 0; i < rows; i++) {
          expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-6);
        }
      }
    });
  }

  it('predicts in batches that do not divide the fixed batch size', async () => {
    const path = write('fixed4b.onnx', lrModel(weights, bias, { batch: 4 }));
    const x = intMatrix(9, 1000, 3);
    const expected = await scores(reference, x, 1000);
    const model = await loadOnnxModel(path, { features: 3 });
    const out = await predict(model, x, 1000, 'binary-classification', { batchSize: 7 });
    await model.release();
    if (out.kind !== 'binary') throw new Error('binary expected');
    for (let i = 0; i < 1000; i++)
      expect(Math.abs(out.scores[i]! - expected[i]!)).toBeLessThan(1e-6);
  });

  it('reports the input type and runs float64 outputs as scores', async () => {
    const model = await loadOnnxModel(
      write('double.onnx', lrModel(weights, bias, { input: 'double', compute: 'double' })),
    );
    expect(model.inputType).toBe('float64');
    const out = await model.runTensor(new Float32Array([1, 2, 3]), 1);
    expect(out.data).toBeInstanceOf(Float64Array);
    expect(out.dims).toEqual([1, 2]);
    await model.release();
  });

  it('names the row of the data, not of a batch, for a feature that is not whole', async () => {
    const path = write('int64b.onnx', lrModel(weights, bias, { input: 'int64' }));
    const model = await loadOnnxModel(path, { features: 3 });
    const x = intMatrix(3, 10, 3);
    x[8 * 3 + 2] = 0.5;
    await expect(predict(model, x, 10, 'binary-classification', { batchSize: 3 })).rejects.toThrow(
      'row 9 column 3 of the features is 0.5',
    );
    await model.release();
  });

  it('an int model with a feature that is not whole is one sentence', async () => {
    for (const type of ['int64', 'int32'] as const) {
      const path = write(`${type}.onnx`, lrModel(weights, bias, { input: type }));
      const model = await loadOnnxModel(path, { features: 3 });
      const x = new Float32Array([1, 2, 3, 4, 5.5, 6]);
      const error = await predict(model, x, 2, 'binary-classification').then(
        () => new Error('expected a failure'),
        (e: unknown) => e,
      );
      await model.release();
      expect(error).toBeInstanceOf(ModelshipError);
      expect((error as Error).message).toBe(
        `${path}: the model's input input takes ${type}, but row 2 column 2 of the features is 5.5, not a whole number ${type} can hold; round or encode that feature as integers, or export the model with a float input.`,
      );
    }
  });
});

describe('serving a fixed-batch model', () => {
  const example = 'examples/credit-risk';
  const { config } = loadConfig(join(example, 'modelship.yml'));
  const F = featureWidth(config.model.features!);
  const weights = Array.from({ length: F }, (_, i) => ((i * 37) % 11) / 50 - 0.1);
  weights[1] = 1e-4;
  let server: ModelServer;
  let base: string;
  const modelPath = join(dir, 'fixed-serve.onnx');

  beforeAll(async () => {
    writeFileSync(modelPath, lrModel(weights, -0.3, { batch: 4 }));
    server = createServer({ modelPath, config, modelVersion: '1.0.0', logger: () => {} });
    await server.ready;
    base = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(() => server.close());

  const post = (path: string, body: unknown) =>
    fetch(base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const [header, ...lines] = readFileSync(join(example, 'data/eval.csv'), 'utf8')
    .trim()
    .split('\n');
  const names = header!.split(',');
  const rows = lines
    .slice(0, 7)
    .map((line) => Object.fromEntries(line.split(',').map((cell, i) => [names[i]!, cell])));
  const columns: Record<string, string[]> = {};
  for (const name of names) columns[name] = rows.map((r) => r[name]!);
  const matrix = buildFeatureMatrix(columns, 7, config.model.features!);
  const expected = Array.from({ length: 7 }, (_, r) => {
    let z = -0.3;
    for (let i = 0; i < F; i++) z += matrix[r * F + i]! * Math.fround(weights[i]!);
    return 1 / (1 + Math.exp(-z));
  });

  it('declares any number of rows in its metadata', async () => {
    const meta = (await (await fetch(`${base}/v2/models/credit-risk`)).json()) as {
      inputs: { shape: number[] }[];
      outputs: { shape: number[] }[];
    };
    expect(meta.inputs[0]!.shape).toEqual([-1, F]);
    expect(meta.outputs[0]!.shape).toEqual([-1, 2]);
  });

  it('answers an OIP request of 7 rows', async () => {
    const res = await post('/v2/models/credit-risk/infer', {
      inputs: [{ name: 'input', shape: [7, F], datatype: 'FP32', data: Array.from(matrix) }],
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { outputs: { shape: number[]; data: number[] }[] };
    expect(body.outputs[0]!.shape).toEqual([7, 2]);
    expected.forEach((p, r) => expect(body.outputs[0]!.data[r * 2 + 1]).toBeCloseTo(p, 5));
  });

  it('answers /predict with 7 rows', async () => {
    const json = rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
        ]),
      ),
    );
    const res = await post('/predict', { rows: json });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { probabilities: number[] };
    expect(body.probabilities).toHaveLength(7);
    expected.forEach((p, r) => expect(body.probabilities[r]).toBeCloseTo(p, 5));
  });
});
