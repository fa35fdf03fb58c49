import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { CATEGORY_CODES, mixedInputModel } from '../../fixtures/models/mixedInputModel.js';
import { useTempDir } from '../../support/tempDir.js';

// A model with a string (BYTES), a float (FP32) and an int64 (INT64) input, served without a
// config: the Open Inference Protocol for any ONNX model, not only Modelship's float matrices.
const dir = useTempDir();
const modelPath = join(dir, 'mixed.onnx');
writeFileSync(modelPath, mixedInputModel());

let server: ModelServer;
let base: string;
beforeAll(async () => {
  server = createServer({ modelPath, modelVersion: '3' });
  await server.ready;
  base = (await server.listen(0)).url;
});
afterAll(() => server.close());

interface InferOutput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown[];
}
interface InferBody {
  id: string;
  model_name: string;
  model_version: string;
  outputs: InferOutput[];
  error?: string;
}

async function infer(body: unknown, path = '/v2/models/mixed/infer') {
  const res = await fetch(base + path, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as InferBody };
}

const categories = ['low', 'high', 'zz'];
const inputs = (over: Record<string, unknown> = {}) => [
  { name: 'category', datatype: 'BYTES', shape: [3, 1], data: categories, ...over },
  { name: 'amount', datatype: 'FP32', shape: [3, 1], data: [[0.5], [1], [2]] },
  { name: 'count', datatype: 'INT64', shape: [3, 1], data: [1, '2', 3] },
];
const expected = categories.map((c, i) => (CATEGORY_CODES[c] ?? -1) + [0.5, 1, 2][i]! + i + 1);

describe('OIP over a model with BYTES, FP32 and INT64 inputs', () => {
  it('describes every input and output with its datatype', async () => {
    for (const path of ['/v2/models/mixed', '/v2/models/mixed/versions/3']) {
      const res = await fetch(base + path);
      expect(await res.json()).toEqual({
        name: 'mixed',
        versions: ['3'],
        platform: 'onnxruntime_onnx',
        inputs: [
          { name: 'category', datatype: 'BYTES', shape: [-1, 1] },
          { name: 'amount', datatype: 'FP32', shape: [-1, 1] },
          { name: 'count', datatype: 'INT64', shape: [-1, 1] },
        ],
        outputs: [
          { name: 'score', datatype: 'FP32', shape: [-1, 1] },
          { name: 'echo', datatype: 'BYTES', shape: [-1, 1] },
        ],
      });
    }
  });

  it('infers from strings, floats and integers, flat or nested, and echoes the id', async () => {
    for (const category of [categories, categories.map((c) => [c])]) {
      const { status, body } = await infer({
        id: 'mixed-1',
        parameters: { binary_data_output: false, anything: [1, 2] },
        inputs: inputs({ data: category, parameters: { content_type: 'str' } }),
      });
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: 'mixed-1', model_name: 'mixed', model_version: '3' });
      expect(body.outputs).toEqual([
        { name: 'score', shape: [3, 1], datatype: 'FP32', data: expected },
        { name: 'echo', shape: [3, 1], datatype: 'BYTES', data: categories },
      ]);
    }
  });

  it('returns only the outputs asked for, in the order asked', async () => {
    const { status, body } = await infer({
      inputs: inputs(),
      outputs: [{ name: 'echo', parameters: { binary_data: false } }, { name: 'score' }],
    });
    expect(status).toBe(200);
    expect(body.outputs.map((o) => o.name)).toEqual(['echo', 'score']);
    const only = await infer({ inputs: inputs(), outputs: [{ name: 'score' }] });
    expect(only.body.outputs.map((o) => o.name)).toEqual(['score']);
    expect(typeof only.body.id).toBe('string');
  });

  it('answers 400 with a reason for wrong datatypes, shapes, names and nesting', async () => {
    const cases: [unknown[], RegExp][] = [
      [inputs({ datatype: 'FP32', data: [1, 2, 3] }), /takes strings, so send datatype BYTES/],
      [inputs({ data: [1, 2, 3] }), /element 0 \(1\) is not a string/],
      [inputs({ shape: [3] }), /rank 1, but the model takes \[rows, 1\]/],
      [inputs({ shape: [1, 3] }), /has 3 columns, but the model takes \[rows, 1\]/],
      [inputs({ data: ['low', 'mid'] }), /data has 2 elements, but shape \[3, 1\] holds 3/],
      [inputs({ data: [['low', 'mid'], ['x']] }), /nested data does not follow shape/],
      [inputs({ data: [['low'], 'mid', ['x']] }), /mixes arrays and values/],
      [inputs({ data: 'low' }), /data must be an array/],
      [inputs().slice(1), /missing input category/],
      [[...inputs(), { name: 'extra', datatype: 'FP32', shape: [1], data: [1] }], /unexpected/],
      [[inputs()[0], inputs()[0], ...inputs().slice(1)], /given twice/],
    ];
    for (const [wrong, message] of cases) {
      const { status, body } = await infer({ id: 'w', inputs: wrong });
      expect(status, String(message)).toBe(400);
      expect(body.error).toMatch(message);
    }
    const amount = inputs();
    amount[1] = { name: 'amount', datatype: 'BYTES', shape: [3, 1], data: ['1', '2', '3'] };
    const bytes = await infer({ inputs: amount });
    expect(bytes.status).toBe(400);
    expect(bytes.body.error).toMatch(/BYTES \(strings\) cannot feed the model's float32 input/);
    const count = inputs();
    count[2] = { name: 'count', datatype: 'FP64', shape: [3, 1], data: [1, 2.5, 3] };
    expect((await infer({ inputs: count })).body.error).toMatch(/not an integer/);
    const unknown = await infer({ inputs: inputs(), outputs: [{ name: 'nope' }] });
    expect(unknown.body.error).toMatch(
      /unknown output "nope"; the model's outputs are score, echo/,
    );
    expect((await fetch(`${base}/v2/health/ready`)).status).toBe(200);
  });

  it('knows the model by its name and version only', async () => {
    const wrong = await infer({ inputs: inputs() }, '/v2/models/other/infer');
    expect(wrong).toEqual({
      status: 404,
      body: { error: 'Model with name other does not exist.' },
    });
    const version = await infer({ inputs: inputs() }, '/v2/models/mixed/versions/4/infer');
    expect(version.status).toBe(404);
    expect((await infer({ inputs: inputs() }, '/v2/models/mixed/versions/3/infer')).status).toBe(
      200,
    );
  });
});

describe('the binary tensor data extension', () => {
  /** A binary request: the JSON header, then each input's raw bytes. */
  async function binaryInfer(json: unknown, parts: Buffer[], header?: string) {
    const text = Buffer.from(JSON.stringify(json));
    const res = await fetch(`${base}/v2/models/mixed/infer`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': header ?? String(text.length),
      },
      body: Buffer.concat([text, ...parts]),
    });
    const body = Buffer.from(await res.arrayBuffer());
    const length = Number(res.headers.get('inference-header-content-length') ?? body.length);
    return {
      status: res.status,
      json: JSON.parse(body.subarray(0, length).toString()) as InferBody,
      binary: body.subarray(length),
    };
  }
  const strings = (values: string[]) =>
    Buffer.concat(
      values.flatMap((v) => {
        const length = Buffer.alloc(4);
        length.writeUInt32LE(Buffer.byteLength(v));
        return [length, Buffer.from(v)];
      }),
    );
  const category = strings(categories);
  const amount = Buffer.from(new Float32Array([0.5, 1, 2]).buffer);
  const count = Buffer.from(new BigInt64Array([1n, 2n, 3n]).buffer);
  const binaryInputs = (sizes = [category.length, amount.length, count.length]) =>
    inputs().map(({ data: _data, ...input }, i) => ({
      ...input,
      parameters: { binary_data_size: sizes[i] },
    }));

  it('takes raw inputs and gives raw outputs where asked', async () => {
    const { status, json, binary } = await binaryInfer(
      {
        id: 'bin',
        inputs: binaryInputs(),
        outputs: [{ name: 'score', parameters: { binary_data: true } }, { name: 'echo' }],
      },
      [category, amount, count],
    );
    expect(status).toBe(200);
    expect(json.outputs).toEqual([
      { name: 'score', shape: [3, 1], datatype: 'FP32', parameters: { binary_data_size: 12 } },
      { name: 'echo', shape: [3, 1], datatype: 'BYTES', data: categories },
    ]);
    const scores = new Float32Array(binary.buffer.slice(binary.byteOffset, binary.byteOffset + 12));
    expect(Array.from(scores)).toEqual(expected);
    const all = await binaryInfer(
      { inputs: binaryInputs(), parameters: { binary_data_output: true } },
      [category, amount, count],
    );
    expect(all.binary.subarray(12)).toEqual(category);
    // JSON and binary inputs mix in one request.
    const mixed = [binaryInputs()[0], ...inputs().slice(1)];
    expect((await binaryInfer({ inputs: mixed }, [category])).json.outputs[0]!.data).toEqual(
      expected,
    );
    expect(
      ((await (await fetch(`${base}/v2`)).json()) as { extensions: string[] }).extensions,
    ).toEqual(['binary_tensor_data']);
  });

  it('answers 400 when the bytes do not match the sizes, shapes or datatypes', async () => {
    const cases: [unknown, Buffer[], RegExp, string?][] = [
      [{ inputs: binaryInputs() }, [category, amount], /binary_data_size 24 runs past/],
      [{ inputs: binaryInputs() }, [category, amount, count, count], /add up to/],
      [
        { inputs: binaryInputs([category.length, 8, count.length]) },
        [category, amount.subarray(0, 8), count],
        /8 binary bytes, but shape \[3, 1\] of FP32 takes 12/,
      ],
      [
        { inputs: binaryInputs([category.length - 1, 12, 24]) },
        [category.subarray(1), amount, count],
        /do not hold the 3 length-prefixed strings/,
      ],
      [
        {
          inputs: binaryInputs().map((input, i) =>
            i === 1 ? { ...input, datatype: 'FP64' } : input,
          ),
        },
        [category, amount, count],
        /binary data must be the model's own datatype FP32, not FP64/,
      ],
      [
        { inputs: binaryInputs() },
        [category, amount, count],
        /Inference-Header-Content-Length/,
        '1e9',
      ],
    ];
    for (const [json, parts, message, header] of cases) {
      const res = await binaryInfer(json, parts, header).catch(() => undefined);
      if (!res) throw new Error(String(message));
      expect(res.status, String(message)).toBe(400);
      expect(res.json.error).toMatch(message);
    }
    const plain = await infer({ inputs: binaryInputs() });
    expect(plain.status).toBe(400);
    expect(plain.body.error).toMatch(/needs a non-negative byte count and a binary request/);
  });
});
