/**
 * A bounded, seeded fuzz run against a real `modelship serve` child process on loopback: valid and
 * broken requests, ids no header can carry, deep nesting, malformed HTTP on raw sockets, uploads
 * cut off, slow clients. Afterwards the server must answer normally, hold about the memory it held
 * before, have nothing in flight, and exit 0 on SIGTERM. `npx vitest run test/core/serve/serveFuzz.test.ts`
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { logisticRegressionModel } from '../../../src/core/model/onnxWriter.js';
import { CREDIT_RISK_ROW } from '../../fixtures/models/creditRiskRow.js';
import { pick, randomInt, seededRandom } from '../../support/prng.js';
import { rawRequest, type RawReply } from '../../support/rawHttp.js';
import { startServeChild, writeServeBundle } from '../../support/serveChild.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const F = 26;
const INFER = '/v2/models/credit-risk/infer';
const REQUESTS = 10_000;
const WARM_UP = 2_000;
const WORKERS = 16;

const IDS = [
  'plain-1',
  'é☃',
  'emoji 😀',
  'a\nb',
  'x\r\nset-cookie: a=b',
  '\u0000',
  '\ud800',
  '%41%',
  ' lead and trail ',
  '\u2028',
  'x'.repeat(300),
  'é'.repeat(3_000),
];

const validInfer = (random: () => number) => ({
  id: pick(random, IDS),
  inputs: [
    {
      name: 'input',
      shape: [1, F],
      datatype: 'FP32',
      data: Array.from({ length: F }, () => random()),
    },
  ],
});

function deepJson(random: () => number): string {
  const depth = pick(random, [65, 200, 5_000, 100_000]);
  return random() < 0.5
    ? `{"id":"deep","inputs":${'['.repeat(depth)}${']'.repeat(depth)}}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

function brokenInfer(random: () => number): unknown {
  const body = validInfer(random) as { inputs: Record<string, unknown>[] };
  const input = body.inputs[0]!;
  const field = pick(random, ['shape', 'datatype', 'data', 'name', 'inputs']);
  if (field === 'inputs') body.inputs = pick(random, [[], 'x', [null]]) as never;
  else if (field === 'shape') input.shape = pick(random, [[], [-1, F], [1, F + 1], [1e9, F], 'x']);
  else if (field === 'datatype') input.datatype = pick(random, ['BYTES', '', 'é', 7]);
  else if (field === 'name') input.name = pick(random, ['x', 'é☃', null]);
  else input.data = pick(random, ['x', {}, [], [1, 2]]);
  return body;
}

const MALFORMED: (string | Buffer)[][] = [
  ['GET /v2 HTTP/1.1\r\nhost: x\r\nbad header\r\n\r\n'],
  [`POST ${INFER} HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n`],
  [`POST ${INFER} HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`],
  [`GET /v2 HTTP/1.1\r\nhost: x\r\nx-pad: ${'a'.repeat(17 * 1024)}\r\n\r\n`],
  ['\u0000\u0001 nonsense\r\n\r\n'],
  ['GET /v2 HTTP/9.9\r\nhost: x\r\n\r\n'],
  [Buffer.from([0x47, 0x45, 0x54, 0x20, 0x2f, 0xff, 0x20, 0x48, 0x0d, 0x0a, 0x0d, 0x0a])],
  [`POST /predict HTTP/1.1\r\nhost: x\r\ncontent-length: -1\r\n\r\n`],
  ['GET /v2 HTTP/1.1\r\nhost: x\r\nx-id: a\u0000b\r\n\r\n'],
];

interface Outcome {
  status: number;
  body: string;
  contentType: string | undefined;
  requestId: string | undefined;
}

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)![1]);
}

it(`modelship serve survives ${REQUESTS} fuzzed requests and shuts down cleanly`, async () => {
  const model = logisticRegressionModel({ weights: new Array(F).fill(0.01), bias: -0.2 });
  const served = await startServeChild(writeServeBundle(join(dir, 'bundle'), model, '1.0.0'), [
    '--request-timeout-ms',
    '1500',
  ]);
  const { child, exited, port } = served;
  const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
  try {
    const http = (method: string, path: string, body?: string | Buffer) =>
      new Promise<Outcome>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            agent,
            headers: body === undefined ? {} : { 'content-length': Buffer.byteLength(body) },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                contentType: res.headers['content-type'],
                requestId: res.headers['x-request-id'] as string | undefined,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', (error) =>
          reject(new Error(`${method} ${path} (${body?.length ?? 0} bytes): ${error.message}`)),
        );
        req.end(body);
      });
    const fromRaw = (reply: RawReply | undefined): Outcome | undefined =>
      reply && {
        status: reply.status,
        body: reply.body,
        contentType: reply.headers['content-type'],
        requestId: reply.headers['x-request-id'],
      };

    const statuses = new Map<number, number>();
    const problems: string[] = [];
    let noAnswer = 0;

    const one = async (random: () => number): Promise<void> => {
      const kind = randomInt(random, 0, 11);
      let label = `kind ${kind}`;
      let outcome: Outcome | undefined;
      let expectAnswer = true;
      if (kind === 0) {
        outcome = await http('POST', INFER, JSON.stringify(validInfer(random)));
      } else if (kind === 1) {
        const body = { id: pick(random, IDS), rows: [CREDIT_RISK_ROW] };
        outcome = await http('POST', '/predict', JSON.stringify(body));
      } else if (kind === 2) {
        outcome = await http('POST', INFER, JSON.stringify(brokenInfer(random)));
      } else if (kind === 3) {
        const bytes = Buffer.from(
          Array.from({ length: randomInt(random, 0, 200) }, () => randomInt(random, 0, 255)),
        );
        outcome = await http('POST', pick(random, [INFER, '/predict']), bytes);
      } else if (kind === 4) {
        label = 'deep nesting';
        outcome = await http('POST', pick(random, [INFER, '/predict']), deepJson(random));
      } else if (kind === 5) {
        const path = pick(random, [
          '/v2/models/%F0%9F%98%80/infer',
          '/v2/models/%E0%A4%A/infer',
          '/v2/models/%C3%A9%0A/ready',
          '/v2/models/credit-risk/versions/%0D%0A/ready',
          '/%E2%98%83',
          '/v2/health/live',
          '/v2/models/credit-risk',
          '/metrics',
        ]);
        outcome = await http(pick(random, ['GET', 'POST', 'PUT', 'DELETE']), path, '{}');
      } else if (kind === 6) {
        label = 'malformed HTTP';
        outcome = fromRaw(await rawRequest(port, pick(random, MALFORMED)));
      } else if (kind === 7 || kind === 8) {
        // An upload cut off: after the headers, mid-body, or whole with the client gone.
        label = 'aborted';
        expectAnswer = false;
        const body = JSON.stringify(validInfer(random));
        const cut = pick(random, [0, 10, body.length]);
        await rawRequest(
          port,
          [
            `POST ${pick(random, [INFER, '/predict'])} HTTP/1.1\r\nhost: x\r\ncontent-length: ${body.length}\r\n\r\n`,
            body.slice(0, cut),
          ],
          { abortAfter: true, reset: random() < 0.3 },
        );
      } else if (kind === 9) {
        label = 'slow client';
        const body = JSON.stringify(validInfer(random));
        // Now and then one that stalls mid-body, past the request timeout: 504.
        const stall = random() < 0.02;
        const head = `POST ${INFER} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n`;
        const at = randomInt(random, 5, head.length - 5);
        outcome = fromRaw(
          await rawRequest(
            port,
            [
              head.slice(0, at),
              head.slice(at),
              body.slice(0, 30),
              ...(stall ? [] : [body.slice(30)]),
            ],
            { gapMs: randomInt(random, 2, 15) },
          ),
        );
      } else if (kind === 10) {
        // A header id with bytes beyond ASCII (obs-text) and a tab.
        label = 'header id';
        outcome = fromRaw(
          await rawRequest(port, [
            Buffer.concat([
              Buffer.from('GET /v2/health/ready HTTP/1.1\r\nhost: x\r\nconnection: close\r\n'),
              Buffer.from('x-request-id: a\tb'),
              Buffer.from([0xc3, 0xa9, 0xff, 0x80]),
              Buffer.from('\r\n\r\n'),
            ]),
          ]),
        );
      } else if (random() < 0.05) {
        label = 'too large';
        outcome = await http('POST', '/predict', `{"pad":"${'x'.repeat(1024 * 1024)}"}`);
      } else {
        outcome = await http('GET', pick(random, ['/v2', '/v2/health/ready', '/metrics']));
      }
      if (!outcome) {
        if (expectAnswer) noAnswer++;
        return;
      }
      statuses.set(outcome.status, (statuses.get(outcome.status) ?? 0) + 1);
      if (outcome.status >= 500 && outcome.status !== 504) {
        problems.push(`${label} → ${outcome.status}: ${outcome.body.slice(0, 200)}`);
      }
      if (outcome.requestId !== undefined && !/^[\x21-\x7e]+$/.test(outcome.requestId)) {
        problems.push(`${label}: x-request-id ${JSON.stringify(outcome.requestId)}`);
      }
      if (outcome.status >= 400) {
        let error: unknown;
        try {
          error = (JSON.parse(outcome.body) as { error?: unknown }).error;
        } catch {
          error = undefined;
        }
        if (typeof error !== 'string' || outcome.contentType !== 'application/json') {
          problems.push(
            `${label} → ${outcome.status} without a JSON error: ${outcome.body.slice(0, 200)}`,
          );
        }
      }
    };
    const run = async (seed: number, n: number) => {
      const random = seededRandom(seed);
      let next = 0;
      const worker = async () => {
        while (next < n) {
          next++;
          await one(random).catch((error: unknown) => {
            problems.push(`request failed: ${String(error)}`);
          });
        }
      };
      await Promise.all(Array.from({ length: WORKERS }, worker));
    };

    const t0 = performance.now();
    await run(1, WARM_UP);
    const rssStart = rssKiB(child.pid!);
    statuses.clear();
    const started = performance.now();
    await run(20261207, REQUESTS / 2);
    const rssMid = rssKiB(child.pid!);
    await run(20261208, REQUESTS / 2);
    const seconds = (performance.now() - started) / 1000;
    const rssEnd = rssKiB(child.pid!);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${REQUESTS} requests (${total} answered) in ${seconds.toFixed(1)} s; RSS ${rssStart} → ${rssMid} → ${rssEnd} KiB; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );

    expect(problems.slice(0, 30)).toEqual([]);
    expect(noAnswer).toBe(0);
    for (const status of [200, 400, 404, 405, 413, 431, 504])
      expect(statuses.get(status)).toBeGreaterThan(0);
    expect(child.exitCode).toBe(null);

    // It still answers normally.
    const ok = await http(
      'POST',
      INFER,
      JSON.stringify({ ...validInfer(seededRandom(3)), id: 'after' }),
    );
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ id: 'after', model_name: 'credit-risk' });
    // A leak grows with every request, so the second half grows as the first did; a heap still
    // settling after the warm-up grows in the first half only. The total stays bounded too.
    expect(rssEnd - rssMid).toBeLessThanOrEqual(rssMid * 0.1);
    expect(rssEnd).toBeLessThanOrEqual(rssStart * 1.35);

    // Nothing left in flight (the /metrics request itself is the 1).
    let inFlight = -1;
    for (let i = 0; i < 200 && inFlight !== 1; i++) {
      const text = (await http('GET', '/metrics')).body;
      inFlight = Number(/modelship_requests_in_flight (\d+)/.exec(text)![1]);
      if (inFlight !== 1) await new Promise((r) => setTimeout(r, 25));
    }
    expect(inFlight - 1).toBe(0);

    agent.destroy();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    console.log(`fuzz: warm-up to exit ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const lines = served
      .stderr()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l.event)).toContain('closed');
    for (const line of lines.filter((l) => l.event === 'request')) {
      expect(String(line.path)).toMatch(/^[\x20-\x7e]*$/);
      if (line.id !== undefined) expect(String(line.id)).toMatch(/^[\x21-\x7e]+$/);
    }
    expect(lines.filter((l) => l.event === 'error')).toEqual([]);
  } finally {
    agent.destroy();
    child.kill('SIGKILL');
  }
}, 120_000);
