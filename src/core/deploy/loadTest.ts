/**
 * A bounded load test of a running serving image: `concurrency` workers, each with one request in
 * flight at a time on a kept-alive connection, send POST /predict with `rowsPerRequest` holdout
 * rows until `durationS` has passed. A request still running then is waited for at most
 * `requestTimeoutMs`, so the whole test ends within durationS + requestTimeoutMs.
 *
 * Figures: requests/s and rows/s count answered (2xx) requests over the test's wall time;
 * latency percentiles are exact order statistics (percentiles.ts) of every answered request;
 * the error rate is failed requests (non-2xx, timeouts, connection errors) over all requests.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ModelshipError } from '../errors.js';
import type { SmokeValue } from '../release/smokeTestFormat.js';
import type { LoadTestSettings } from './loadTestSettings.js';
import { quantiles } from './percentiles.js';

export interface LoadTestOptions extends LoadTestSettings {
  /** Where the image listens, e.g. http://127.0.0.1:41234. */
  url: string;
  /** Holdout rows (smoke-test.json's), repeated in turn to fill each request. */
  rows: readonly Record<string, SmokeValue>[];
  /** The longest a request may take before it counts as a timeout (default 10 s). */
  requestTimeoutMs?: number;
}

export interface LoadTestResult {
  settings: LoadTestSettings;
  /** Wall time from the first request to the last answer, in seconds. */
  elapsedS: number;
  /** Requests that finished, answered or failed. */
  requests: number;
  /** Requests answered with a 2xx status. */
  answered: number;
  failed: number;
  errors: { http: number; timeouts: number; connection: number };
  /** failed / requests (0 when nothing finished). */
  errorRate: number;
  requestsPerSecond: number;
  rowsPerSecond: number;
  /** Latency of answered requests; undefined when none was answered. */
  latencyMs?: { p50: number; p95: number; p99: number; max: number };
  /** The first failure, as a clause (e.g. `HTTP 503 …`), for the summary. */
  firstError?: string;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

type Outcome =
  { ok: true; ms: number } | { ok: false; kind: 'http' | 'timeouts' | 'connection'; error: string };

/** Runs the load test; never throws for what the server does. */
export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestResult> {
  const settings: LoadTestSettings = {
    durationS: options.durationS,
    concurrency: options.concurrency,
    rowsPerRequest: options.rowsPerRequest,
  };
  if (options.rows.length === 0)
    throw new ModelshipError(
      'The load test has no rows to send; the bundle’s smoke-test.json holds none, so repackage it with modelship package.',
    );
  const target = new URL(`${options.url.replace(/\/+$/, '')}/predict`);
  const https = target.protocol === 'https:';
  const agent = new (https ? HttpsAgent : HttpAgent)({
    keepAlive: true,
    maxSockets: settings.concurrency,
  });
  const send = https ? httpsRequest : httpRequest;
  const rows = Array.from(
    { length: settings.rowsPerRequest },
    (_, i) => options.rows[i % options.rows.length]!,
  );
  // Each request its own id, so a server that routes by request id (a canary) sees the split
  // real traffic would; the rows' JSON is written once.
  const rowsJson = JSON.stringify(rows);
  let sent = 0;
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;

  const latencies: number[] = [];
  const errors = { http: 0, timeouts: 0, connection: 0 };
  let firstError: string | undefined;

  const once = () =>
    new Promise<Outcome>((resolve) => {
      const body = Buffer.from(`{"id":"modelship-load-test-${++sent}","rows":${rowsJson}}`);
      const started = performance.now();
      let settled = false;
      const finish = (outcome: Outcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const req = send(target, {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      });
      const timer = setTimeout(() => {
        finish({ ok: false, kind: 'timeouts', error: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) finish({ ok: true, ms: performance.now() - started });
          else {
            const text = Buffer.concat(chunks).toString('utf8').slice(0, 200);
            finish({
              ok: false,
              kind: 'http',
              error: `HTTP ${status} ${text.replace(/\s+/g, ' ')}`,
            });
          }
        });
        res.on('error', (error) => finish({ ok: false, kind: 'connection', error: error.message }));
      });
      req.on('error', (error) => finish({ ok: false, kind: 'connection', error: error.message }));
      req.end(body);
    });

  const startedAt = performance.now();
  const endAt = startedAt + settings.durationS * 1000;
  const worker = async () => {
    while (performance.now() < endAt) {
      const outcome = await once();
      if (outcome.ok) latencies.push(outcome.ms);
      else {
        errors[outcome.kind] += 1;
        firstError ??= outcome.error;
        // A refused connection answers at once: pause so a dead server is not spun on.
        if (outcome.kind === 'connection') await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: settings.concurrency }, worker));
  } finally {
    agent.destroy();
  }
  const elapsedS = (performance.now() - startedAt) / 1000;
  const failed = errors.http + errors.timeouts + errors.connection;
  const requests = latencies.length + failed;
  const [p50, p95, p99, max] = quantiles(latencies, [0.5, 0.95, 0.99, 1]) ?? [];
  return {
    settings,
    elapsedS,
    requests,
    answered: latencies.length,
    failed,
    errors,
    errorRate: requests === 0 ? 0 : failed / requests,
    requestsPerSecond: latencies.length / elapsedS,
    rowsPerSecond: (latencies.length * settings.rowsPerRequest) / elapsedS,
    ...(max !== undefined ? { latencyMs: { p50: p50!, p95: p95!, p99: p99!, max } } : {}),
    ...(firstError ? { firstError } : {}),
  };
}
