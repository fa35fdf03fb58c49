// The load generator against loopback servers that count what they see: never more requests in
// flight or connections than the concurrency, kept-alive connections, the rows it was given in
// turn, the run ended within duration + request timeout, and every failure counted by its kind.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoadTest } from '../../../src/core/deploy/loadTest.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise((resolve) => {
          s.closeAllConnections();
          s.close(resolve);
        }),
    ),
  );
});

interface Seen {
  inFlight: number;
  maxInFlight: number;
  connections: number;
  requests: number;
  bodies: { id: string; rows: { n: number }[] }[];
}

/** A loopback server answering each request with `answer(n)` (n counts from 1) after `delayMs`. */
async function server(
  answer: (n: number) => number | 'hang',
  delayMs = 5,
): Promise<{ url: string; seen: Seen }> {
  const seen: Seen = { inFlight: 0, maxInFlight: 0, connections: 0, requests: 0, bodies: [] };
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = ++seen.requests;
    seen.inFlight += 1;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.bodies.push(JSON.parse(Buffer.concat(chunks).toString()) as Seen['bodies'][number]);
      const status = answer(n);
      if (status === 'hang') return;
      setTimeout(() => {
        seen.inFlight -= 1;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? '{"predictions":[]}' : '{"error":"overloaded <b>now</b>"}');
      }, delayMs);
    });
  });
  http.on('connection', () => (seen.connections += 1));
  servers.push(http);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, seen };
}

const ROWS = [{ n: 1 }, { n: 2 }, { n: 3 }];

describe('runLoadTest', () => {
  it('keeps at most `concurrency` requests in flight on as many kept-alive connections', async () => {
    const { url, seen } = await server(() => 200, 10);
    const result = await runLoadTest({
      url: `${url}/`,
      rows: ROWS,
      durationS: 1,
      concurrency: 3,
      rowsPerRequest: 5,
    });
    expect(seen.maxInFlight).toBe(3);
    expect(seen.connections).toBe(3);
    expect(result.requests).toBe(seen.requests);
    expect(result).toMatchObject({ answered: seen.requests, failed: 0, errorRate: 0 });
    // The rows in turn, repeated to fill a request.
    expect(seen.bodies[0]!.rows).toEqual([1, 2, 3, 1, 2].map((n) => ({ n })));
    // Every request its own id.
    const ids = new Set(seen.bodies.map((b) => b.id));
    expect(ids.size).toBe(seen.requests);
    expect(ids.has(`modelship-load-test-${seen.requests}`)).toBe(true);
    expect(result.rowsPerSecond).toBeCloseTo(5 * result.requestsPerSecond, 9);
    expect(result.requestsPerSecond).toBeCloseTo(seen.requests / result.elapsedS, 9);
    // Every answer took the server's 10 ms at least; the percentiles are ordered.
    const { p50, p95, p99, max } = result.latencyMs!;
    expect(p50).toBeGreaterThanOrEqual(10);
    expect(p50 <= p95 && p95 <= p99 && p99 <= max).toBe(true);
  });

  it('counts non-2xx answers as errors, over every request', async () => {
    const { url, seen } = await server((n) => (n % 4 === 0 ? 503 : 200));
    const result = await runLoadTest({
      url,
      rows: ROWS,
      durationS: 1,
      concurrency: 2,
      rowsPerRequest: 1,
    });
    const failed = Math.floor(seen.requests / 4);
    expect(result.errors).toEqual({ http: failed, timeouts: 0, connection: 0 });
    expect(result.answered).toBe(seen.requests - failed);
    expect(result.errorRate).toBe(failed / seen.requests);
    expect(result.firstError).toBe('HTTP 503 {"error":"overloaded <b>now</b>"}');
  });

  it('gives up on a request after the timeout, so the run ends within duration + timeout', async () => {
    // The first two requests never get an answer; the rest are answered.
    const { url } = await server((n) => (n <= 2 ? 'hang' : 200));
    const started = performance.now();
    const result = await runLoadTest({
      url,
      rows: ROWS,
      durationS: 1,
      concurrency: 2,
      rowsPerRequest: 1,
      requestTimeoutMs: 300,
    });
    const elapsed = (performance.now() - started) / 1000;
    expect(result.errors.timeouts).toBe(2);
    expect(result.firstError).toBe('no answer within 300 ms');
    expect(result.answered).toBeGreaterThan(0);
    // Without the timeout the hung requests would hold the run until the test's own timeout; the
    // margin is for a busy machine, not a speed check.
    expect(elapsed).toBeLessThan(1 + 0.3 + 3);
  });

  it('counts connection errors against a port nobody listens on, with no latency', async () => {
    const { url } = await server(() => 200);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const result = await runLoadTest({
      url,
      rows: ROWS,
      durationS: 1,
      concurrency: 2,
      rowsPerRequest: 1,
    });
    expect(result.requests).toBeGreaterThan(0);
    expect(result.errors.connection).toBe(result.requests);
    expect(result).toMatchObject({ answered: 0, errorRate: 1, requestsPerSecond: 0 });
    expect(result.latencyMs).toBeUndefined();
    expect(result.firstError).toMatch(/ECONNREFUSED/);
  });

  it('refuses to run without rows', async () => {
    await expect(
      runLoadTest({
        url: 'http://127.0.0.1:9',
        rows: [],
        durationS: 1,
        concurrency: 1,
        rowsPerRequest: 1,
      }),
    ).rejects.toThrow(/smoke-test\.json holds none/);
  });
});
