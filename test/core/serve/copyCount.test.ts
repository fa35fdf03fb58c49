/**
 * Issue 19's perf guard for serving, a count and not a timing: the bytes of request data the
 * serving path copies (body buffer, tensors, merged batches), read from the counter the path
 * keeps. A binary OIP request of N rows is copied at most once, whatever its header's length
 * (so whatever the alignment of its tensor bytes) and however many chunks it arrives in.
 */
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { copiedBytes } from '../../../src/core/serve/copyCount.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const F = 6;
const weights = Array.from({ length: F }, (_, i) => (i - 2) / 10);
const modelPath = join(dir, 'model.onnx');
writeFileSync(modelPath, logisticRegressionModel({ weights, bias: 0.2 }));

let server: ModelServer;
let base: URL;
beforeAll(async () => {
  server = createServer({ modelPath, modelVersion: '1' });
  await server.ready;
  base = new URL((await server.listen(0, '127.0.0.1')).url);
});
afterAll(() => server.close());

/** Posts `body` to infer in pieces of `chunk` bytes; the status, the reply and the bytes copied. */
function post(
  body: Buffer,
  headers: Record<string, string | number>,
  chunk: number,
): Promise<{ status: number; reply: Buffer; copied: number; headerLength: number }> {
  const before = copiedBytes();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path: '/v2/models/model/infer',
        headers: { 'content-length': body.length, ...headers },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            reply: Buffer.concat(parts),
            copied: copiedBytes() - before,
            headerLength: Number(res.headers['inference-header-content-length']),
          }),
        );
      },
    );
    req.on('error', reject);
    // Each piece in a write of its own, flushed before the next, so the server reads chunks.
    const pieces = Array.from({ length: Math.ceil(body.length / chunk) }, (_, i) =>
      body.subarray(i * chunk, (i + 1) * chunk),
    );
    const next = () => {
      const piece = pieces.shift();
      if (!piece) return void req.end();
      req.write(piece, () => setTimeout(next, 1));
    };
    next();
  });
}

function binaryRequest(
  rows: number,
  id: string,
): { body: Buffer; headerLength: number; x: Float32Array } {
  const x = Float32Array.from({ length: rows * F }, (_, i) => ((i * 7) % 13) / 13);
  const header = Buffer.from(
    JSON.stringify({
      id,
      inputs: [
        {
          name: 'input',
          shape: [rows, F],
          datatype: 'FP32',
          parameters: { binary_data_size: x.byteLength },
        },
      ],
      parameters: { binary_data_output: true },
    }),
  );
  return {
    body: Buffer.concat([header, Buffer.from(x.buffer)]),
    headerLength: header.length,
    x,
  };
}

describe('bytes of request data copied per served request', () => {
  // Ids of 1 to 8 characters shift the tensor bytes through every alignment.
  it.each([1, 2, 3, 4, 5, 6, 7, 8])(
    'a binary OIP request of 1,000 rows in 4 KiB chunks, header shifted by %i, is copied at most once',
    async (shift) => {
      const rows = 1_000;
      const { body, headerLength, x } = binaryRequest(rows, 'x'.repeat(shift));
      const {
        status,
        reply,
        copied,
        headerLength: replyHeader,
      } = await post(
        body,
        {
          'content-type': 'application/octet-stream',
          'inference-header-content-length': headerLength,
        },
        4096,
      );
      expect(status).toBe(200);
      expect(copied).toBeLessThanOrEqual(body.length);
      // The answer is the model's on these very bytes: nothing was lost by viewing them in place.
      const end = replyHeader;
      const scores = new Float32Array(
        reply.buffer.slice(reply.byteOffset + end, reply.byteOffset + reply.length),
      );
      expect(scores.length).toBe(rows * 2);
      for (const r of [0, 1, rows - 1]) {
        const z = weights.reduce((s, w, i) => s + w * x[r * F + i]!, 0.2);
        expect(scores[r * 2 + 1]).toBeCloseTo(1 / (1 + Math.exp(-z)), 5);
      }
    },
  );

  it('a JSON OIP request is copied at most once too', async () => {
    const rows = 200;
    const body = Buffer.from(
      JSON.stringify({
        inputs: [
          {
            name: 'input',
            shape: [rows, F],
            datatype: 'FP32',
            data: Array.from({ length: rows * F }, (_, i) => i % 10),
          },
        ],
      }),
    );
    const { status, copied } = await post(body, { 'content-type': 'application/json' }, 1024);
    expect(status).toBe(200);
    expect(copied).toBeLessThanOrEqual(body.length);
  });
});

describe('malformed numeric data', () => {
  it.each(['[1,2.]', '[1,,2]', '[01,2]', '[1,2', '[1,-]', '[1,2]]', '[1e,2]', '[.5,1]', '[1,2,]'])(
    'answers %s with JSON.parse’s own 400',
    async (data) => {
      const text = `{"inputs":[{"name":"input","shape":[1,2],"datatype":"FP32","data":${data}}]}`;
      let expected = '';
      try {
        JSON.parse(text);
      } catch (error) {
        expected = (error as Error).message;
      }
      const { status, reply } = await post(
        Buffer.from(text),
        { 'content-type': 'application/json' },
        1 << 20,
      );
      expect(status).toBe(400);
      expect((JSON.parse(reply.toString()) as { error: string }).error).toBe(
        `the request body is not valid JSON (${expected}).`,
      );
    },
  );
});
