import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../../src/core/errors.js';
import { loadOnnxModel, type LoadOnnxModelOptions } from '../../../src/core/model/onnxModel.js';
import {
  buildOnnxModel,
  logisticRegressionModel,
  softmaxRegressionModel,
  type Dim,
  type ElemType,
} from '../../../src/core/model/onnxWriter.js';
import {
  dense,
  maxRelativeDifference,
  randomMatrix,
  sigmoid,
} from '../../fixtures/models/reference.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

function write(name: string, content: Uint8Array | string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The ModelshipError message of a failed load. */
async function loadError(path: string, options?: LoadOnnxModelOptions): Promise<string> {
  const error = await loadOnnxModel(path, options).then(
    () => new Error('expected the load to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelshipError);
  return (error as Error).message;
}

/** A model that adds 1 to an input of the given type and shape. */
function identityModel(shape: Dim[], elemType: ElemType = 'float'): Uint8Array {
  return buildOnnxModel({
    inputs: [{ name: 'x', elemType, shape }],
    outputs: [{ name: 'y', elemType, shape }],
    nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
  });
}

describe('loadOnnxModel', () => {
  const weights = [0.5, -1, 2];
  const bytes = logisticRegressionModel({ weights, bias: 0.1 });
  const path = write('model.onnx', bytes);

  it('describes the model and runs it on CPU', async () => {
    const model = await loadOnnxModel(path, { features: 3 });
    expect(model).toMatchObject({
      path,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      inputName: 'input',
      inputShape: ['N', 3],
      outputNames: ['probabilities'],
      outputShapes: [['N', 2]],
      outputName: 'probabilities',
      provider: 'cpu',
    });
    expect(model.providerNote).toBeUndefined();
    const x = randomMatrix(3, 10, 3);
    const out = await model.run(x, 10);
    expect(out).toBeInstanceOf(Float32Array);
    const p = dense(
      x,
      10,
      weights.map((w) => [w]),
      [0.1],
    ).map(sigmoid);
    expect(
      maxRelativeDifference(
        out.filter((_, i) => i % 2 === 1),
        p,
      ),
    ).toBeLessThan(1e-6);
    expect((await model.runTensor(x, 10)).dims).toEqual([10, 2]);
    expect(await model.run(new Float32Array(0), 0)).toHaveLength(0);
    await model.release();
  });

  it('falls back to CPU when CUDA cannot start, and says why', async () => {
    const model = await loadOnnxModel(path, { executionProviders: ['cuda', 'cpu'] });
    // This machine has no CUDA libraries; on a GPU runner with them, CUDA would be used.
    if (model.provider === 'cpu')
      expect(model.providerNote).toMatch(/^CUDA unavailable \(.+\); ran on CPU$/);
    else expect(model.provider).toBe('cuda');
    expect(Array.from(await model.run(new Float32Array(3), 1))).toHaveLength(2);
    await model.release();
  });

  it('says how the input width differs from the features', async () => {
    expect(await loadError(path, { features: 26 })).toBe(
      `${path} expects 3 inputs per row, but modelship.yml features make 26; retrain or fix the features list.`,
    );
  });

  it('checks the input name when one is expected', async () => {
    expect(await loadError(path, { inputName: 'features' })).toBe(
      `${path}: the model's input is named input, but features was expected; export the model with that input name.`,
    );
  });

  it('rejects an input that is not rank 2', async () => {
    const file = write('rank3.onnx', identityModel(['N', 4, 5]));
    expect(await loadError(file)).toBe(
      `${file}: the model's input x has shape [N, 4, 5], but Modelship feeds either one [batch, F] input or one input per data column shaped [N, 1] or [N]; export each column as its own [None, 1] input, or all features as one [None, F] float input.`,
    );
  });

  it('rejects an input that is not float32, float64, int64, int32, bool or string', async () => {
    const file = write('uint8.onnx', identityModel(['N', 3], 'uint8'));
    expect(await loadError(file)).toBe(
      `${file}: the model's input x is uint8, but Modelship feeds float32, float64, int64, int32, bool or string tensors; export the model with tensor inputs of those types.`,
    );
  });

  it('feeds column-named inputs, as sklearn-onnx writes them, one matrix column each', async () => {
    const file = write(
      'columns.onnx',
      buildOnnxModel({
        inputs: [
          { name: 'duration', shape: ['N', 1] },
          { name: 'age', shape: ['N', 1] },
        ],
        outputs: [{ name: 'y', shape: ['N', 2] }],
        nodes: [
          {
            opType: 'Concat',
            inputs: ['duration', 'age'],
            outputs: ['y'],
            attributes: { axis: { int: 1 } },
          },
        ],
      }),
    );
    const model = await loadOnnxModel(file);
    expect(model.layout).toBe('columns');
    expect(model.inputs.map((i) => i.name)).toEqual(['duration', 'age']);
    const out = await model.runTensor(Float32Array.from([1, 2, 3, 4, 5, 6]), 3);
    expect(out.dims).toEqual([3, 2]);
    expect(Array.from(out.data)).toEqual([1, 2, 3, 4, 5, 6]);
    await model.release();
  });

  it('uses the first float output when an int64 label comes first (sklearn-onnx)', async () => {
    const file = write(
      'labelled.onnx',
      buildOnnxModel({
        inputs: [{ name: 'input', shape: ['N', 2] }],
        outputs: [
          { name: 'label', elemType: 'int64', shape: ['N'] },
          { name: 'probabilities', shape: ['N', 2] },
        ],
        nodes: [
          {
            opType: 'Softmax',
            inputs: ['input'],
            outputs: ['probabilities'],
            attributes: { axis: { int: 1 } },
          },
          {
            opType: 'ArgMax',
            inputs: ['probabilities'],
            outputs: ['label'],
            attributes: { axis: { int: 1 }, keepdims: { int: 0 } },
          },
        ],
      }),
    );
    const model = await loadOnnxModel(file);
    expect(model.outputNames).toEqual(['label', 'probabilities']);
    expect(model.outputName).toBe('probabilities');
    const out = await model.run(Float32Array.from([0, 0]), 1);
    expect(Array.from(out)).toEqual([0.5, 0.5]);
    await model.release();
  });

  it('rejects a model without a float output', async () => {
    const file = write(
      'labels-only.onnx',
      buildOnnxModel({
        inputs: [{ name: 'input', shape: ['N', 2] }],
        outputs: [{ name: 'label', elemType: 'int64', shape: ['N'] }],
        nodes: [
          {
            opType: 'ArgMax',
            inputs: ['input'],
            outputs: ['label'],
            attributes: { axis: { int: 1 }, keepdims: { int: 0 } },
          },
        ],
      }),
    );
    expect(await loadError(file)).toBe(
      `${file}: no output is a float tensor of scores, and none is a ZipMap of one (outputs: label (int64)); export probabilities or predictions as a float tensor.`,
    );
  });

  it('runs a model exported with a fixed batch size in padded batches', async () => {
    const weights = [
      [1, 0, 2],
      [0, 1, -1],
    ];
    const fixed = buildOnnxModel({
      inputs: [{ name: 'input', shape: [4, 2] }],
      outputs: [{ name: 'y', shape: [4, 3] }],
      nodes: [{ opType: 'MatMul', inputs: ['input', 'w'], outputs: ['y'] }],
      initializers: [{ name: 'w', dims: [2, 3], data: weights.flat() }],
    });
    const model = await loadOnnxModel(write('fixed.onnx', fixed), { features: 2 });
    expect(model.inputShape).toEqual([4, 2]);
    const x = randomMatrix(5, 10, 2);
    const out = await model.runTensor(x, 10);
    expect(out.dims).toEqual([10, 3]);
    expect(maxRelativeDifference(out.data, dense(x, 10, weights, [0, 0, 0]))).toBeLessThan(1e-6);
    expect((await model.runTensor(x.subarray(0, 2), 1)).dims).toEqual([1, 3]);
    await model.release();
  });

  it('checks the width of what it is asked to run', async () => {
    const model = await loadOnnxModel(
      write('softmax.onnx', softmaxRegressionModel({ weights: [[1, 2]], bias: [0, 0] })),
    );
    await expect(model.run(new Float32Array(4), 2)).rejects.toThrow(
      /softmax\.onnx expects 1 inputs per row, but was given 2; retrain or fix the features list\.$/,
    );
    await expect(model.run(new Float32Array(3), 2)).rejects.toThrow(RangeError);
    await model.release();
  });

  describe('unreadable files', () => {
    it('a missing file', async () => {
      const file = join(dir, 'nowhere', 'model.onnx');
      expect(await loadError(file)).toBe(
        `${file}: model file not found; check model.path in modelship.yml (relative to its directory) or the --model path.`,
      );
    });

    it('a directory', async () => {
      const folder = join(dir, 'artifacts');
      mkdirSync(folder, { recursive: true });
      expect(await loadError(folder)).toBe(`${folder}: is a directory; name the .onnx file in it.`);
    });

    it('an empty file', async () => {
      const file = write('empty.onnx', '');
      expect(await loadError(file)).toBe(
        `${file}: the model file is empty; check that training wrote the model completely.`,
      );
    });

    const notOnnx = (file: string) =>
      `${file}: not an ONNX model (protobuf parsing failed); check that it is the .onnx file training wrote, complete and not text.`;

    it('random bytes', async () => {
      const file = write('random.onnx', randomBytes(4096));
      expect(await loadError(file)).toBe(notOnnx(file));
    });

    it('a text file named .onnx', async () => {
      const file = write('text.onnx', '<!DOCTYPE html>\n<html><body>Not Found</body></html>\n');
      expect(await loadError(file)).toBe(notOnnx(file));
    });

    it('a truncated model', async () => {
      const file = write('truncated.onnx', bytes.subarray(0, bytes.length - 20));
      expect(await loadError(file)).toMatch(
        new RegExp(`^${file}: (not an ONNX model|onnxruntime cannot load)`),
      );
    });

    it('a Git LFS pointer', async () => {
      const file = write(
        'lfs.onnx',
        'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 12345\n',
      );
      expect(await loadError(file)).toBe(
        `${file}: is a Git LFS pointer, not the model; fetch it with git lfs pull (actions/checkout: lfs: true).`,
      );
    });

    it('a model whose weights are in a separate file that is not beside it', async () => {
      // onnx.save_model(..., save_as_external_data=True, location='model.onnx.data'), as
      // PyTorch 2.9's exporter writes by default: the .data file did not travel with it.
      const file = write(
        'external.onnx',
        Buffer.from(
          'CAg6mQEKGgoFaW5wdXQKAXcSBnNjb3JlcyIGTWF0TXVsEgFnKkMIAwgCEAFCAXdqGwoIbG9jYXRpb24SD21vZGVsLm9ubnguZGF0YWoLCgZvZmZzZXQSATBqDAoGbGVuZ3RoEgIyNHABWhgKBWlucHV0Eg8KDQgBEgkKAxIBTgoCCANiGQoGc2NvcmVzEg8KDQgBEgkKAxIBTgoCCAJCBAoAEBE=',
          'base64',
        ),
      );
      expect(await loadError(file)).toMatch(
        new RegExp(
          `^${file}: the model keeps its weights in a separate file beside it \\(.*\\); export one self-contained file, e\\.g\\. torch\\.onnx\\.export\\(\\.\\.\\., external_data=False\\) or onnx\\.save_model\\(model, path, save_as_external_data=False\\)\\.$`,
        ),
      );
    });

    it('a valid protobuf that onnxruntime cannot run', async () => {
      const file = write(
        'unknown-op.onnx',
        buildOnnxModel({
          inputs: [{ name: 'x', shape: ['N', 1] }],
          outputs: [{ name: 'y', shape: ['N', 1] }],
          nodes: [{ opType: 'NoSuchOperator', inputs: ['x'], outputs: ['y'] }],
        }),
      );
      expect(await loadError(file)).toMatch(
        new RegExp(`^${file}: onnxruntime cannot load the model \\(.*NoSuchOperator.*\\)\\.$`),
      );
    });
  });
});

describe('defaultExecutionProviders', () => {
  it('tries CUDA only where an NVIDIA control device exists', async () => {
    const { defaultExecutionProviders } = await import('../../../src/core/model/gpuPresence.js');
    expect(defaultExecutionProviders('/nonexistent/nvidiactl')).toEqual(['cpu']);
    expect(defaultExecutionProviders('/dev/null')).toEqual(['cuda', 'cpu']);
  });
});
