/**
 * Issue 19's perf guard for serving, a count and not a timing: the bytes of request data the
 * serving path copies (body buffer, tensors, merged batches), read from the counter the path
 * keeps. A binary OIP request of N rows is copied at most once, whatever its header's length
 * (so whatever the alignment of its tensor bytes) and however many chunks it arrives in.
 */
import { writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { copiedBytes } from '../../../src/core/serve/copyCount.js';
import { readPredictBody } from '../../../src/core/serve/httpBody.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { exampleEvalRows } from '../../support/exampleRows.js';
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

/** Posts `body` (to infer) in pieces of `chunk` bytes; the status, the reply and the bytes copied. */
function post(
  body: Buffer,
  headers: Record<string, string | number>,
  chunk: number,
  to: { url: URL; path: string } = { url: base, path: '/v2/models/model/infer' },
): Promise<{ status: number; reply: Buffer; copied: number; headerLength: number }> {
  const before = copiedBytes();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: to.url.hostname,
        port: to.url.port,
        method: 'POST',
        path: to.path,
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
      // The body into one buffer at most once, and its JSON header decoded for JSON.parse.
      expect(copied).toBeLessThanOrEqual(body.length + headerLength);
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

describe('bytes of a /predict request copied', () => {
  let predictServer: ModelServer;
  let predictBase: URL;
  const rows = exampleEvalRows(1_000).map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v,
      ]),
    ),
  );
  beforeAll(async () => {
    const { config } = loadConfig(join('examples/credit-risk', 'modelship.yml'));
    const path = join(dir, 'credit.onnx');
    const width = featureWidth(config.model.features!);
    writeFileSync(
      path,
      logisticRegressionModel({ weights: new Array<number>(width).fill(0.01), bias: 0 }),
    );
    predictServer = createServer({ modelPath: path, config });
    await predictServer.ready;
    predictBase = new URL((await predictServer.listen(0, '127.0.0.1')).url);
  });
  afterAll(() => predictServer.close());

  /** Posts a /predict body in 4 KiB chunks: the status and the bytes copied. */
  const postPredict = (body: Buffer) =>
    post(body, {}, 4096, { url: predictBase, path: '/predict' });

  it('1,000 rows posted are copied at most once, and a body left to JSON.parse at least once', async () => {
    const scanned = Buffer.from(JSON.stringify({ id: 'copies', rows }));
    const first = await postPredict(scanned);
    expect(first.status).toBe(200);
    expect(first.copied).toBeLessThanOrEqual(scanned.length);
    const parsed = Buffer.from(JSON.stringify({ id: 'esc\\u0061ped', rows }));
    const second = await postPredict(parsed);
    expect(second.status).toBe(200);
    expect(second.copied).toBeGreaterThanOrEqual(parsed.length);
  });

  it('rows in 4 KiB chunks are copied once into one buffer and read from it, not from text', async () => {
    /** The bytes readPredictBody copies of a body that arrives in 4 KiB chunks. */
    const copies = async (body: Buffer) => {
      const chunks = Array.from({ length: Math.ceil(body.length / 4096) }, (_, i) =>
        body.subarray(i * 4096, (i + 1) * 4096),
      );
      const req = Object.assign(Readable.from(chunks), {
        headers: { 'content-length': String(body.length) },
        complete: true,
      }) as unknown as IncomingMessage;
      const before = copiedBytes();
      const read = await readPredictBody(req, 1 << 24);
      return { copied: copiedBytes() - before, scanned: read.rows !== undefined };
    };
    const scanned = Buffer.from(JSON.stringify({ id: 'copies', rows }));
    expect(await copies(scanned)).toEqual({ copied: scanned.length, scanned: true });
    // A backslash sends the body to JSON.parse, which reads it decoded into text: a second copy.
    const parsed = Buffer.from(JSON.stringify({ id: 'esc\\u0061ped', rows }));
    expect(await copies(parsed)).toEqual({ copied: 2 * parsed.length, scanned: false });
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
