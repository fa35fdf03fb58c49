import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Task } from '../../../src/core/config/modelshipConfig.js';
import { ModelshipError } from '../../../src/core/errors.js';
import { loadOnnxModel, type OnnxModel } from '../../../src/core/model/onnxModel.js';
import {
  buildOnnxModel,
  linearRegressionModel,
  logisticRegressionModel,
  mlpModel,
  softmaxRegressionModel,
  type Dim,
} from '../../../src/core/model/onnxWriter.js';
import { predict } from '../../../src/core/model/predict.js';
import {
  dense,
  maxRelativeDifference,
  randomMatrix,
  randomWeights,
  sigmoid,
  softmax,
} from '../../fixtures/models/reference.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const loaded: OnnxModel[] = [];
afterAll(async () => {
  for (const model of loaded) await model.release();
});

const F = 5;
const ROWS = 1000;
const x = randomMatrix(11, ROWS, F);
const w = randomWeights(12, F, 1).map((r) => r[0]!);
const p = dense(
  x,
  ROWS,
  w.map((v) => [v]),
  [0.2],
).map(sigmoid);

async function load(name: string, bytes: Uint8Array): Promise<OnnxModel> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const model = await loadOnnxModel(path, { features: F });
  loaded.push(model);
  return model;
}

/** A model that passes `shape`d float values through: its input [N, F] sliced and reshaped. */
function shapedModel(columns: number | null): Uint8Array {
  // Slice the first `columns` inputs of each row, or flatten one input to [N].
  const shape: Dim[] = columns === null ? ['N'] : ['N', columns];
  return buildOnnxModel({
    inputs: [{ name: 'input', shape: ['N', F] }],
    outputs: [{ name: 'out', shape }],
    nodes: [
      { opType: 'Slice', inputs: ['input', 'starts', 'ends', 'axes'], outputs: ['s'] },
      { opType: 'Reshape', inputs: ['s', 'shape'], outputs: ['out'] },
    ],
    initializers: [
      { name: 'starts', dims: [1], data: [0], elemType: 'int64' },
      { name: 'ends', dims: [1], data: [columns ?? 1], elemType: 'int64' },
      { name: 'axes', dims: [1], data: [1], elemType: 'int64' },
      {
        name: 'shape',
        dims: columns === null ? [1] : [2],
        data: columns === null ? [-1] : [-1, columns],
        elemType: 'int64',
      },
    ],
  });
}

async function predictError(model: OnnxModel, task: Task, classCount?: number): Promise<string> {
  const error = await predict(model, x, ROWS, task, { classCount }).then(
    () => new Error('expected predict to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelshipError);
  return (error as Error).message;
}

describe('binary classification', () => {
  for (const output of ['proba2', 'proba1', 'vector'] as const) {
    it(`reads P(positive) from a ${output} output`, async () => {
      const model = await load(
        `binary-${output}.onnx`,
        logisticRegressionModel({ weights: w, bias: 0.2, output }),
      );
      const out = await predict(model, x, ROWS, 'binary-classification');
      expect(out.kind).toBe('binary');
      if (out.kind !== 'binary') return;
      expect(out.scores).toBeInstanceOf(Float64Array);
      expect(out.scores).toHaveLength(ROWS);
      expect(maxRelativeDifference(out.scores, p)).toBeLessThan(1e-6);
    });
  }

  it('says which shape does not fit', async () => {
    const model = await load(
      'three.onnx',
      softmaxRegressionModel({ weights: randomWeights(13, F, 3), bias: [0, 0, 0] }),
    );
    expect(await predictError(model, 'binary-classification')).toBe(
      `${model.path}: the model's output has shape [1000, 3], which does not fit binary classification; expected [N, 2] (column 1 is P(positive)), [N, 1] or [N].`,
    );
  });
});

describe('multiclass classification', () => {
  it('reads [N, C] probabilities', async () => {
    const weights = randomWeights(14, F, 4);
    const bias = [0, 0.5, -0.5, 1];
    const model = await load('softmax.onnx', softmaxRegressionModel({ weights, bias }));
    const out = await predict(model, x, ROWS, 'multiclass-classification', { classCount: 4 });
    expect(out.kind).toBe('multiclass');
    if (out.kind !== 'multiclass') return;
    expect(out.classCount).toBe(4);
    expect(out.proba).toHaveLength(ROWS * 4);
    expect(
      maxRelativeDifference(out.proba, softmax(dense(x, ROWS, weights, bias), 4)),
    ).toBeLessThan(1e-6);
  });

  it('checks the class count against modelship.yml', async () => {
    const model = await load(
      'softmax3.onnx',
      softmaxRegressionModel({ weights: randomWeights(15, F, 3), bias: [0, 0, 0] }),
    );
    expect(await predictError(model, 'multiclass-classification', 4)).toBe(
      `${model.path}: the model outputs 3 class probabilities per row, but modelship.yml lists 4 classes; retrain or fix model.classes.`,
    );
  });

  it('rejects [N] and [N, 1]', async () => {
    for (const columns of [null, 1]) {
      const model = await load(`multi-${columns}.onnx`, shapedModel(columns));
      expect(await predictError(model, 'multiclass-classification')).toMatch(
        /the model's output has shape \[1000(, 1)?\], which does not fit multiclass classification; expected \[N, C\] class probabilities\.$/,
      );
    }
  });
});

describe('regression', () => {
  for (const output of ['vector', 'column'] as const) {
    it(`reads values from a ${output} output`, async () => {
      const model = await load(
        `linear-${output}.onnx`,
        linearRegressionModel({ weights: w, bias: 3, output }),
      );
      const out = await predict(model, x, ROWS, 'regression');
      expect(out.kind).toBe('regression');
      if (out.kind !== 'regression') return;
      const expected = dense(
        x,
        ROWS,
        w.map((v) => [v]),
        [3],
      );
      expect(maxRelativeDifference(out.values, expected)).toBeLessThan(1e-6);
    });
  }

  it('rejects [N, 2]', async () => {
    const model = await load('two.onnx', shapedModel(2));
    expect(await predictError(model, 'regression')).toBe(
      `${model.path}: the model's output has shape [1000, 2], which does not fit regression; expected [N] or [N, 1].`,
    );
  });
});

describe('batching', () => {
  const net = [
    { weights: randomWeights(16, F, 8), bias: randomWeights(17, 1, 8)[0]! },
    { weights: randomWeights(18, 8, 3), bias: [0, 0, 0] },
  ];

  it('gives identical results for any batch size', async () => {
    const model = await load(
      'mlp.onnx',
      mlpModel({ layers: net, activation: 'tanh', output: 'softmax' }),
    );
    const whole = await predict(model, x, ROWS, 'multiclass-classification');
    for (const batchSize of [1, 7, 999, 1000, 4096]) {
      const batched = await predict(model, x, ROWS, 'multiclass-classification', { batchSize });
      expect(batched).toEqual(whole);
    }
    const binary = await load('mlp2.onnx', logisticRegressionModel({ weights: w, bias: 0.2 }));
    const one = await predict(binary, x, ROWS, 'binary-classification');
    expect(await predict(binary, x, ROWS, 'binary-classification', { batchSize: 33 })).toEqual(one);
  });

  it('runs batches one after another', async () => {
    const model = await load('seq.onnx', logisticRegressionModel({ weights: w, bias: 0.2 }));
    let running = 0;
    const sizes: number[] = [];
    const watched = {
      path: model.path,
      runTensor: async (matrix: Float32Array, rows: number) => {
        expect(running).toBe(0);
        running++;
        sizes.push(rows);
        try {
          return await model.runTensor(matrix, rows);
        } finally {
          running--;
        }
      },
    };
    await predict(watched, x, ROWS, 'binary-classification', { batchSize: 300 });
    expect(sizes).toEqual([300, 300, 300, 100]);
  });

  it('handles no rows and rejects a bad batch size', async () => {
    const model = await load('empty.onnx', logisticRegressionModel({ weights: w, bias: 0.2 }));
    const out = await predict(model, new Float32Array(0), 0, 'binary-classification');
    expect(out).toEqual({ kind: 'binary', scores: new Float64Array(0) });
    await expect(
      predict(model, x, ROWS, 'binary-classification', { batchSize: 0 }),
    ).rejects.toThrow(RangeError);
    await expect(predict(model, x, 3, 'binary-classification')).rejects.toThrow(RangeError);
  });

  it('says when the output rows do not match the input rows', async () => {
    const fixedOutput = {
      path: 'odd.onnx',
      runTensor: async () => ({ data: new Float32Array(2), dims: [2] }),
    };
    await expect(predict(fixedOutput, x, ROWS, 'regression')).rejects.toThrow(
      "odd.onnx: the model's output has shape [2] for 1000 input rows; it needs one row of output per input row.",
    );
  });
});
