import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { featureWidth } from '../../../src/core/model/featureMatrix.js';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { jsonLines } from '../../../src/core/serve/jsonLines.js';
import { createServer, type ModelServer } from '../../../src/core/serve/server.js';
import { CREDIT_RISK_ROW } from '../../fixtures/models/creditRiskRow.js';
import { rawRequest } from '../../support/rawHttp.js';
import { startServeChild, writeServeBundle } from '../../support/serveChild.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const { config } = loadConfig('examples/credit-risk/modelship.yml');
const F = featureWidth(config.model.features!);
const modelPath = join(dir, 'model.onnx');
writeFileSync(modelPath, logisticRegressionModel({ weights: new Array(F).fill(0.01), bias: 0 }));
const INFER = '/v2/models/credit-risk/infer';
const validInfer = (id: string, rows = 1) => ({
  id,
  inputs: [
    {
      name: 'input',
      shape: [rows, F],
      datatype: 'FP32',
      data: new Array(rows * F).fill(0.5),
    },
  ],
});

/** Ids no HTTP header may carry as they are. */
const HOSTILE_IDS = ['é☃', 'emoji 😀', 'a\nb', 'x\r\nset-cookie: a=b', '\u0000', '\ud800', 'tab\t'];

const logs: Record<string, unknown>[] = [];
let server: ModelServer;
let url: string;
let port: number;

beforeAll(async () => {
  server = createServer({
    modelPath,
    config,
    requestTimeoutMs: 1_000,
    logger: (e) => logs.push(e),
  });
  await server.ready;
  ({ url, port } = await server.listen(0, '127.0.0.1'));
});
afterAll(() => server.close());

const post = (path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url + path, { method: 'POST', body, headers });

async function inFlight(): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  // The /metrics request itself is in flight while it renders.
  return Number(/modelship_requests_in_flight (\d+)/.exec(text)![1]) - 1;
}

async function waitFor(check: () => Promise<boolean>, ms = 3_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('client-controlled text in headers and log lines', () => {
  it('answers a body id no header can carry, on every route and with any body, and lives on', async () => {
    for (const id of HOSTILE_IDS) {
      const replies = [
        await post(INFER, JSON.stringify(validInfer(id))),
        await post(INFER, JSON.stringify({ id, inputs: 5 })),
        await post('/predict', JSON.stringify({ id, rows: [CREDIT_RISK_ROW] })),
        await post('/predict', JSON.stringify({ id, rows: 'x' })),
      ];
      const statuses = [];
      for (const res of replies) {
        statuses.push(res.status);
        const header = res.headers.get('x-request-id')!;
        expect(header).toMatch(/^[\x21-\x7e]+$/);
        const body = (await res.json()) as { id?: string; error?: string };
        // The body (JSON) carries the id as sent.
        expect(body.id).toBe(id);
      }
      expect(statuses).toEqual([200, 400, 200, 400]);
    }
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
  });

  it('echoes a long id in the body only, never in a header no client could read', async () => {
    const id = 'é'.repeat(5_000);
    for (const res of [
      await post('/predict', JSON.stringify({ id, rows: [CREDIT_RISK_ROW] })),
      await post(INFER, JSON.stringify(validInfer(id))),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBeNull();
      expect(((await res.json()) as { id: string }).id).toBe(id);
    }
  });

  it('never echoes a header id that is not plain ASCII as it is', async () => {
    const reply = await rawRequest(port, [
      Buffer.concat([
        Buffer.from('GET /v2/health/live HTTP/1.1\r\nhost: x\r\nx-request-id: caf'),
        Buffer.from([0xe9, 0xff]),
        Buffer.from('\r\nconnection: close\r\n\r\n'),
      ]),
    ]);
    expect(reply?.status).toBe(200);
    expect(reply?.headers['x-request-id']).toMatch(/^[\x21-\x7e]+$/);
  });

  it('writes log lines that stay one JSON line each, with the id and path made safe', async () => {
    logs.length = 0;
    const id = 'line\nbreak\u2028é';
    await post(`${INFER}?${'q'.repeat(2_000)}`, JSON.stringify({ id, inputs: 5 }));
    await fetch(`${url}/v2/models/${encodeURIComponent('é\n☃')}/infer`, {
      method: 'POST',
      body: '{}',
    });
    let text = '';
    const lines = jsonLines((t) => (text += t));
    for (const entry of logs) lines.log(entry);
    lines.flush();
    const parsed = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(logs.length);
    const requests = parsed.filter((l) => l.event === 'request');
    expect(requests.map((l) => l.status)).toEqual([400, 404]);
    for (const l of requests) {
      expect(String(l.path)).toMatch(/^[\x20-\x7e]*$/);
      expect(String(l.path).length).toBeLessThanOrEqual(512);
    }
    expect(String(requests[0]!.id)).toMatch(/^[\x21-\x7e]+$/);
  });
});

describe('request bodies nested too deep', () => {
  it('answers 400 naming the depth limit, for infer and /predict, before parsing', async () => {
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    for (const [path, body] of [
      [INFER, `{"id":"deep","inputs":${deep(100_000)}}`],
      ['/predict', `{"rows":${deep(100_000)}}`],
      [INFER, '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000)],
    ] as const) {
      const res = await post(path, body);
      expect(res.status).toBe(400);
      const reply = (await res.json()) as { error: string };
      expect(reply.error).toMatch(/nested deeper than the limit of 64/);
    }
    // Brackets inside strings are text, not nesting.
    const res = await post(INFER, JSON.stringify(validInfer('['.repeat(200))));
    expect(res.status).toBe(200);
  });
});

describe('requests that end early', () => {
  it('a client that sends part of a body and disconnects leaves nothing in flight', async () => {
    for (const path of [INFER, '/predict']) {
      await rawRequest(
        port,
        [
          `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 10000\r\n\r\n`,
          '{"inputs": [',
        ],
        { abortAfter: true },
      );
    }
    // A whole request, with the client gone before the answer.
    await rawRequest(
      port,
      [
        `POST ${INFER} HTTP/1.1\r\nhost: x\r\ncontent-length: ${JSON.stringify(validInfer('gone', 500)).length}\r\n\r\n`,
        JSON.stringify(validInfer('gone', 500)),
      ],
      { abortAfter: true },
    );
    expect(await waitFor(async () => (await inFlight()) === 0)).toBe(true);
  });

  it('a stalled body times out with 504 and the client leaving after leaves nothing in flight', async () => {
    const reply = await rawRequest(
      port,
      [`POST ${INFER} HTTP/1.1\r\nhost: x\r\ncontent-length: 500\r\n\r\n`, '{"inputs":'],
      { waitMs: 3_000 },
    );
    expect(reply?.status).toBe(504);
    expect(JSON.parse(reply!.body)).toHaveProperty('error');
    expect(await waitFor(async () => (await inFlight()) === 0)).toBe(true);
  });

  it('an http client aborting mid-upload raises no error and leaves nothing in flight', async () => {
    await new Promise<void>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/predict',
        headers: { 'content-length': 5000 },
      });
      req.on('error', () => resolve());
      req.write('{"rows":[', () => setTimeout(() => req.destroy(), 20));
    });
    expect(await waitFor(async () => (await inFlight()) === 0)).toBe(true);
    expect(logs.filter((l) => l.event === 'error')).toEqual([]);
  });
});

describe('malformed HTTP', () => {
  const cases: [string, (string | Buffer)[], number][] = [
    ['a header line without a colon', ['GET /v2 HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n'], 400],
    [
      'Content-Length with Transfer-Encoding',
      [
        `POST ${INFER} HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`,
      ],
      400,
    ],
    [
      'a bad chunk size',
      [
        `POST ${INFER} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      ],
      400,
    ],
    [
      'headers over 16 KB',
      [`GET /v2 HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(17 * 1024)}\r\n\r\n`],
      431,
    ],
    ['a request line that is not HTTP', ['\u0000\u0001 nonsense\r\n\r\n'], 400],
  ];
  for (const [name, chunks, status] of cases) {
    it(`answers ${name} with ${status} and a JSON error`, async () => {
      const reply = await rawRequest(port, chunks);
      expect(reply?.status).toBe(status);
      expect(reply?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(reply!.body)).toEqual({ error: expect.stringMatching(/\w/) });
    });
  }
  it('still serves after them', async () => {
    expect((await post(INFER, JSON.stringify(validInfer('after')))).status).toBe(200);
  });
});

describe('close', () => {
  it('resolves, with an aborted upload earlier, and logs closed', async () => {
    const own = createServer({ modelPath, config, logger: (e) => logs.push(e) });
    await own.ready;
    const { port: ownPort } = await own.listen(0, '127.0.0.1');
    await rawRequest(
      ownPort,
      [`POST /predict HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n`, '{"rows":'],
      { abortAfter: true },
    );
    await new Promise((r) => setTimeout(r, 100));
    logs.length = 0;
    const closed = await Promise.race([
      own.close().then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), 3_000)),
    ]);
    expect(closed).toBe(true);
    expect(logs.map((l) => l.event)).toContain('closed');
  });
});

describe('a client too slow with its headers', () => {
  it('gets 408 and a JSON error once the headers timeout passes, and leaves nothing behind', async () => {
    const own = createServer({ modelPath, config, headersTimeoutMs: 300 });
    await own.ready;
    const { port: ownPort } = await own.listen(0, '127.0.0.1');
    try {
      const started = Date.now();
      const reply = await rawRequest(ownPort, ['POST /predict HTTP/1.1\r\nhost: x\r\n'], {
        waitMs: 10_000,
      });
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(reply?.status).toBe(408);
      expect(JSON.parse(reply!.body)).toEqual({ error: expect.stringMatching(/300 ms/) });
    } finally {
      await own.close();
    }
  });
});

describe('close with a slow client', () => {
  it('does not wait for a client still sending its headers', async () => {
    const own = createServer({ modelPath, config });
    await own.ready;
    const { port: ownPort } = await own.listen(0, '127.0.0.1');
    // Half a request line, then nothing: no request yet, so nothing to finish.
    const held = rawRequest(ownPort, ['POST /predict HTTP/1.1\r\nhost: x\r\ncontent-'], {
      waitMs: 10_000,
    });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await held).toBeUndefined();
  });
});

describe('modelship serve as a child process', () => {
  it('exits 0 on SIGTERM, logging closed, after a client cut off its upload', async () => {
    const bundle = writeServeBundle(join(dir, 'bundle'), readFileSync(modelPath), '1.0.0');
    const served = await startServeChild(bundle);
    const { child, exited, port: childPort } = served;
    try {
      await rawRequest(
        childPort,
        [`POST ${INFER} HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n`, '{"id":"cut",'],
        { abortAfter: true },
      );
      await new Promise((r) => setTimeout(r, 200));
      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<string>((r) => setTimeout(() => r('still running'), 5_000)),
      ]);
      expect(code).toBe(0);
      const events = served
        .stderr()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { event: string }).event);
      expect(events).toContain('closed');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('modelship serve --host', () => {
  it('names a host it cannot listen on in one sentence, with exit 2', async () => {
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr += String(chunk);
      return true;
    });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const code = await main([
        'serve',
        modelPath,
        '--config',
        'examples/credit-risk/modelship.yml',
        '--cpu',
        '--port',
        '0',
        '--host',
        '999.1.1.1',
      ]);
      expect(code).toBe(2);
    } finally {
      err.mockRestore();
      out.mockRestore();
    }
    const message = stderr.split('\n').find((l) => l.startsWith('modelship: '));
    expect(message).toMatch(/^modelship: --host 999\.1\.1\.1 /);
    expect(message).toMatch(/127\.0\.0\.1/);
    expect(message).not.toMatch(/getaddrinfo/);
  });
});
