import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import {
  buildOnnxModel,
  linearRegressionModel,
  logisticRegressionModel,
  mlpModel,
  softmaxRegressionModel,
} from '../../../src/core/model/onnxWriter.js';
import { ProtobufWriter } from '../../../src/core/model/protobufWriter.js';
import {
  dense,
  maxRelativeDifference,
  mlpLogits,
  proba2,
  randomMatrix,
  randomWeights,
  sigmoid,
  softmax,
} from '../../fixtures/models/reference.js';

/** float32 precision: a few units in the last place of sums of a few products. */
const FLOAT32 = 1e-6;
/** Three layers of float32 rounding, summed in another order than onnxruntime's kernels. */
const MLP_FLOAT32 = 1e-5;
const ROWS = 257;

async function runModel(bytes: Uint8Array, x: Float32Array, width: number) {
  const session = await InferenceSession.create(bytes);
  try {
    const input = new Tensor('float32', x, [x.length / width, width]);
    const out = await session.run({ [session.inputNames[0]!]: input });
    const first = out[session.outputNames[0]!]!;
    return {
      data: first.data as Float32Array,
      dims: first.dims,
      inputs: session.inputMetadata,
      outputs: session.outputMetadata,
    };
  } finally {
    await session.release();
  }
}

describe('ProtobufWriter', () => {
  const hex = (w: ProtobufWriter) => Buffer.from(w.finish()).toString('hex');

  it('writes varints as the protobuf encoding guide does', () => {
    expect(hex(new ProtobufWriter().int(1, 150))).toBe('089601');
    expect(hex(new ProtobufWriter().int(1, 300))).toBe('08ac02');
    expect(hex(new ProtobufWriter().int(2, 0))).toBe('1000');
    expect(hex(new ProtobufWriter().int(1, 2 ** 40))).toBe('08808080808020');
  });

  it('writes negative int64 as ten bytes of two’s complement', () => {
    expect(hex(new ProtobufWriter().int(3, -1))).toBe('18ffffffffffffffffff01');
    expect(hex(new ProtobufWriter().int(3, -2n))).toBe('18feffffffffffffffff01');
  });

  it('writes strings, floats, packed values and nested messages', () => {
    expect(hex(new ProtobufWriter().string(2, 'testing'))).toBe('120774657374696e67');
    expect(hex(new ProtobufWriter().float(2, 1))).toBe('150000803f');
    expect(hex(new ProtobufWriter().packedInts(4, [3, 270, 86942]))).toBe('2206038e029ea705');
    expect(hex(new ProtobufWriter().message(3, (m) => m.int(1, 150)))).toBe('1a03089601');
  });

  it('grows past its first buffer', () => {
    const big = new Uint8Array(100_000).fill(7);
    const bytes = new ProtobufWriter().bytes(1, big).finish();
    expect(bytes.length).toBe(1 + 3 + 100_000);
    expect(bytes.at(-1)).toBe(7);
  });

  it('rejects numbers that are not safe integers', () => {
    expect(() => new ProtobufWriter().int(1, 1.5)).toThrow(/not a safe integer/);
  });
});

describe('model builders match a plain-JS forward pass', () => {
  const F = 7;
  const x = randomMatrix(1, ROWS, F, 2);
  const w = randomWeights(2, F, 1).map((r) => r[0]!);
  const b = 0.25;
  const p = dense(
    x,
    ROWS,
    w.map((v) => [v]),
    [b],
  ).map((z) => sigmoid(z));

  it('logistic regression, proba2: [N, 2] = (1 − p, p)', async () => {
    const out = await runModel(logisticRegressionModel({ weights: w, bias: b }), x, F);
    expect(out.dims).toEqual([ROWS, 2]);
    expect(maxRelativeDifference(out.data, proba2(p))).toBeLessThan(FLOAT32);
    expect(out.inputs[0]).toMatchObject({ name: 'input', type: 'float32', shape: ['N', F] });
    expect(out.outputs[0]).toMatchObject({ name: 'probabilities', shape: ['N', 2] });
  });

  it('logistic regression, proba1: [N, 1]', async () => {
    const model = logisticRegressionModel({ weights: w, bias: b, output: 'proba1' });
    const out = await runModel(model, x, F);
    expect(out.dims).toEqual([ROWS, 1]);
    expect(maxRelativeDifference(out.data, p)).toBeLessThan(FLOAT32);
    expect(out.outputs[0]).toMatchObject({ shape: ['N', 1] });
  });

  it('logistic regression, vector: [N], with chosen names', async () => {
    const model = logisticRegressionModel({
      weights: w,
      bias: b,
      output: 'vector',
      inputName: 'features',
      outputName: 'p_bad',
    });
    const out = await runModel(model, x, F);
    expect(out.dims).toEqual([ROWS]);
    expect(maxRelativeDifference(out.data, p)).toBeLessThan(FLOAT32);
    expect(out.inputs[0]?.name).toBe('features');
    expect(out.outputs[0]).toMatchObject({ name: 'p_bad', shape: ['N'] });
  });

  it('softmax regression: [N, C] class probabilities', async () => {
    const weights = randomWeights(3, F, 4);
    const bias = [0.1, -0.2, 0.3, 0];
    const out = await runModel(softmaxRegressionModel({ weights, bias }), x, F);
    expect(out.dims).toEqual([ROWS, 4]);
    expect(maxRelativeDifference(out.data, softmax(dense(x, ROWS, weights, bias), 4))).toBeLessThan(
      FLOAT32,
    );
    expect(out.outputs[0]).toMatchObject({ shape: ['N', 4] });
  });

  it('linear regression: [N] and [N, 1]', async () => {
    const expected = dense(
      x,
      ROWS,
      w.map((v) => [v * 10]),
      [100],
    );
    const weights = w.map((v) => v * 10);
    const vector = await runModel(linearRegressionModel({ weights, bias: 100 }), x, F);
    expect(vector.dims).toEqual([ROWS]);
    expect(maxRelativeDifference(vector.data, expected)).toBeLessThan(FLOAT32);
    const column = linearRegressionModel({ weights, bias: 100, output: 'column' });
    const out = await runModel(column, x, F);
    expect(out.dims).toEqual([ROWS, 1]);
    expect(out.outputs[0]).toMatchObject({ name: 'prediction', shape: ['N', 1] });
    expect(maxRelativeDifference(out.data, expected)).toBeLessThan(FLOAT32);
  });

  const layers = (out: number) => [
    { weights: randomWeights(4, F, 16), bias: randomWeights(5, 1, 16)[0]! },
    { weights: randomWeights(6, 16, 8, 0.5), bias: randomWeights(7, 1, 8)[0]! },
    { weights: randomWeights(8, 8, out), bias: randomWeights(9, 1, out)[0]! },
  ];

  for (const activation of ['relu', 'tanh'] as const) {
    it(`MLP (${activation}) with a proba2 output`, async () => {
      const net = layers(1);
      const model = mlpModel({ layers: net, activation, output: 'proba2' });
      const out = await runModel(model, x, F);
      expect(out.dims).toEqual([ROWS, 2]);
      const expected = proba2(mlpLogits(x, ROWS, net, activation).map(sigmoid));
      expect(maxRelativeDifference(out.data, expected)).toBeLessThan(MLP_FLOAT32);
    });

    it(`MLP (${activation}) with a softmax output`, async () => {
      const net = layers(3);
      const out = await runModel(mlpModel({ layers: net, activation, output: 'softmax' }), x, F);
      expect(out.dims).toEqual([ROWS, 3]);
      const expected = softmax(mlpLogits(x, ROWS, net, activation), 3);
      expect(maxRelativeDifference(out.data, expected)).toBeLessThan(MLP_FLOAT32);
    });

    it(`MLP (${activation}) with a regression output`, async () => {
      const net = layers(1);
      const model = mlpModel({ layers: net, activation, output: 'regression' });
      const out = await runModel(model, x, F);
      expect(out.dims).toEqual([ROWS]);
      expect(maxRelativeDifference(out.data, mlpLogits(x, ROWS, net, activation))).toBeLessThan(
        MLP_FLOAT32,
      );
    });
  }

  it('a one-layer MLP is logistic regression', async () => {
    const net = [{ weights: w.map((v) => [v]), bias: [b] }];
    const out = await runModel(
      mlpModel({ layers: net, activation: 'relu', output: 'proba2' }),
      x,
      F,
    );
    expect(maxRelativeDifference(out.data, proba2(p))).toBeLessThan(FLOAT32);
  });
});

describe('buildOnnxModel', () => {
  it('writes int, float, ints and floats attributes, int64 initializers and metadata', async () => {
    // Gemm(alpha, transB) → LeakyRelu(alpha) → Transpose(perm) → Reshape(int64 shape).
    const model = buildOnnxModel({
      inputs: [{ name: 'x', shape: ['batch', 2] }],
      outputs: [{ name: 'y', shape: [3, 'batch'] }],
      nodes: [
        {
          opType: 'Gemm',
          inputs: ['x', 'w', 'c'],
          outputs: ['g'],
          attributes: { alpha: { float: 2 }, transB: { int: 1 } },
        },
        {
          opType: 'LeakyRelu',
          inputs: ['g'],
          outputs: ['l'],
          attributes: { alpha: { float: 0.5 } },
        },
        {
          opType: 'Transpose',
          inputs: ['l'],
          outputs: ['t'],
          attributes: { perm: { ints: [1, 0] } },
        },
        { opType: 'Reshape', inputs: ['t', 'shape'], outputs: ['y'] },
      ],
      initializers: [
        { name: 'w', dims: [3, 2], data: [1, 0, 0, 1, -1, -1] },
        { name: 'c', dims: [3], data: [0, 0, 0] },
        { name: 'shape', dims: [2], data: [3, -1], elemType: 'int64' },
      ],
      opset: 13,
      producer: 'test',
      producerVersion: '1.2.3',
      metadata: { purpose: 'attributes' },
    });
    const session = await InferenceSession.create(model);
    const out = await session.run({
      x: new Tensor('float32', Float32Array.from([1, 2, 3, -4]), [2, 2]),
    });
    // Gemm: 2·[[1, 2, −3], [3, −4, 1]]; LeakyRelu halves negatives; then transposed.
    expect(out.y!.dims).toEqual([3, 2]);
    expect(Array.from(out.y!.data as Float32Array)).toEqual([2, 6, 4, -4, -3, 2]);
    expect(session.inputMetadata[0]).toMatchObject({ name: 'x', shape: ['batch', 2] });
    await session.release();
  });

  it('writes floats attributes and double tensors', async () => {
    // Constant(value_floats) as a float tensor; Cast of a double initializer to float; Add.
    const model = buildOnnxModel({
      inputs: [{ name: 'x', shape: ['N', 2] }],
      outputs: [{ name: 'y', shape: ['N', 2] }],
      nodes: [
        {
          opType: 'Constant',
          inputs: [],
          outputs: ['k'],
          attributes: { value_floats: { floats: [0.5, 0.25] } },
        },
        { opType: 'Cast', inputs: ['d'], outputs: ['dc'], attributes: { to: { int: 1 } } },
        { opType: 'Add', inputs: ['x', 'k'], outputs: ['s'] },
        { opType: 'Add', inputs: ['s', 'dc'], outputs: ['y'] },
      ],
      initializers: [{ name: 'd', dims: [2], data: [10, 20], elemType: 'double' }],
    });
    const session = await InferenceSession.create(model);
    const out = await session.run({ x: new Tensor('float32', Float32Array.from([1, 2]), [1, 2]) });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([11.5, 22.25]);
    await session.release();
  });

  it('writes string and negative int attributes, and int64 outputs (opset 21)', async () => {
    // Pad(mode 'edge') repeats each row's first value on the left; ArgMax(axis −1) of the result.
    const model = buildOnnxModel({
      inputs: [{ name: 'x', shape: ['N', 3] }],
      outputs: [{ name: 'k', elemType: 'int64', shape: ['N'] }],
      nodes: [
        {
          opType: 'Pad',
          inputs: ['x', 'pads'],
          outputs: ['p'],
          attributes: { mode: { string: 'edge' } },
        },
        {
          opType: 'ArgMax',
          inputs: ['p'],
          outputs: ['k'],
          attributes: { axis: { int: -1 }, keepdims: { int: 0 }, select_last_index: { int: 1 } },
        },
      ],
      initializers: [{ name: 'pads', dims: [4], data: [0, 1, 0, 0], elemType: 'int64' }],
      opset: 21,
    });
    const session = await InferenceSession.create(model);
    const x = new Tensor('float32', Float32Array.from([1, 3, 2, 9, 0, 1]), [2, 3]);
    const out = await session.run({ x });
    // [1, 1, 3, 2] → 2; [9, 9, 0, 1] → 1 (the last of the two maxima).
    expect(Array.from(out.k!.data as BigInt64Array)).toEqual([2n, 1n]);
    expect(session.outputMetadata[0]).toMatchObject({ type: 'int64' });
    await session.release();
  });

  it('rejects an initializer whose data does not fill its dims', () => {
    expect(() =>
      buildOnnxModel({
        inputs: [],
        outputs: [],
        nodes: [],
        initializers: [{ name: 'w', dims: [2, 2], data: [1, 2, 3] }],
      }),
    ).toThrow('initializer w: dims [2, 2] hold 4 values, but 3 were given');
  });
});

describe('builder arguments', () => {
  it('rejects ragged weights, mismatched layers and a wrong output width', () => {
    expect(() => softmaxRegressionModel({ weights: [[1, 2], [3]], bias: [0, 0] })).toThrow(
      'weights row 2 has 1 values, but the bias has 2',
    );
    const layer = { weights: [[1, 1]], bias: [0, 0] };
    expect(() =>
      mlpModel({ layers: [layer, layer], activation: 'relu', output: 'softmax' }),
    ).toThrow('layer 2 has 1 weight rows, but its input has 2 values');
    expect(() => mlpModel({ layers: [layer], activation: 'relu', output: 'proba2' })).toThrow(
      "output 'proba2' needs 1 unit in the last layer, not 2",
    );
    expect(() => mlpModel({ layers: [], activation: 'relu', output: 'proba2' })).toThrow(
      'at least one layer',
    );
    expect(() => linearRegressionModel({ weights: [], bias: 0 })).toThrow('at least one input');
  });

  it('writes the same bytes for the same model', () => {
    const a = logisticRegressionModel({ weights: [1, 2], bias: 3 });
    const b = logisticRegressionModel({ weights: [1, 2], bias: 3 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});
