import { describe, expect, it } from 'vitest';
import { inputTensor } from '../../../src/core/serve/oipTensors.js';
import { NumericData, parseInferJson } from '../../../src/core/serve/numericJson.js';
import type { TensorInfo } from '../../../src/core/serve/servedModel.js';
import { pick, randomInt, seededRandom } from '../../support/prng.js';

type Input = Parameters<typeof inputTensor>[0];

/** The tensor's type and data, or the message of the error it threw. */
function outcome(
  input: Input,
  info: TensorInfo,
): { type?: string; data?: unknown[]; error?: string } {
  try {
    const { tensor } = inputTensor(input, info, { maxElements: 1_000_000, anyRows: true });
    return { type: tensor.type, data: Array.from(tensor.data as ArrayLike<unknown>) };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The same input from the fast path (NumericData) and from JSON.parse's arrays. */
function bothWays(text: string): { fast: Input; parsed: Input } {
  const fast = (parseInferJson(Buffer.from(text)) as { inputs: Input[] }).inputs[0]!;
  const parsed = (JSON.parse(text) as { inputs: Input[] }).inputs[0]!;
  return { fast, parsed };
}

describe('inputTensor of numbers read straight from the body', () => {
  it('makes the tensors and the errors the arrays make: 2,000 seeded inputs', () => {
    const random = seededRandom(7);
    const types = ['float32', 'float64', 'int32', 'int64', 'uint8', 'bool', 'string'];
    const datatypes = ['FP32', 'FP64', 'FP16', 'INT32', 'INT64', 'UINT8', 'BOOL', 'BYTES'];
    let tensors = 0;
    let errors = 0;
    for (let k = 0; k < 2_000; k++) {
      const dims = Array.from({ length: randomInt(random, 1, 3) }, () => randomInt(random, 1, 4));
      // The data's own nesting may disagree with the shape it claims.
      const sent = random() < 0.7 ? dims : dims.map((d) => d + randomInt(random, -1, 1) || 1);
      const nested = random() < 0.5;
      const value = () =>
        pick(random, [
          String(randomInt(random, -3, 300)),
          '0',
          '1',
          '-0',
          (random() * 10).toFixed(3),
          '1e3',
          '4294967296',
        ]);
      const level = (d: number): string =>
        d === sent.length - 1 || !nested
          ? `[${Array.from({ length: nested ? sent[d]! : sent.reduce((a, b) => a * b, 1) }, value).join(',')}]`
          : `[${Array.from({ length: sent[d]! }, () => level(d + 1)).join(',')}]`;
      const datatype = pick(random, datatypes);
      const text = `{"inputs":[{"name":"x","shape":[${dims.join(',')}],"datatype":"${datatype}","data":${level(0)}}]}`;
      const { fast, parsed } = bothWays(text);
      expect(fast.data).toBeInstanceOf(NumericData);
      const info: TensorInfo = {
        name: 'x',
        type: pick(random, types),
        shape: dims.map((d, i) => (i === 0 ? 'batch' : d)),
      };
      const a = outcome(fast, info);
      expect(a, text).toEqual(outcome(parsed, info));
      if (a.error) errors++;
      else tensors++;
    }
    expect(tensors).toBeGreaterThan(300);
    expect(errors).toBeGreaterThan(300);
  });
});
