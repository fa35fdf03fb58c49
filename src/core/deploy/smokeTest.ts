/**
 * The smoke test of a running serving image: wait until /v2/health/ready answers 200, send the
 * bundle's smoke-test rows to POST /predict and the same input to the OIP infer route, and compare
 * both answers with the recorded predictions.
 */
import { readFileSync } from 'node:fs';
import { ModelshipError, messageOf } from '../errors.js';
import {
  compareInfer,
  comparePredict,
  describeComparison,
  type SmokeComparison,
} from './smokeCompare.js';
import { SMOKE_TEST_VERSION, type SmokeTestData } from '../release/smokeTestFormat.js';

export interface ReadyOptions {
  /** How long to wait for ready (default 60 s). */
  readyTimeoutMs?: number;
  /** Called between polls; lets the caller stop early when the container died. */
  stillRunning?: () => Promise<boolean>;
}

export interface SmokeTestOptions extends ReadyOptions {
  /** Where the image listens, e.g. http://127.0.0.1:41234. */
  url: string;
  data: SmokeTestData;
  /** The label /predict gives below the threshold (binary): labelsOf of the bundle's config. */
  negativeLabel?: string | undefined;
}

export interface SmokeTestResult {
  passed: boolean;
  /** Why it failed, in one sentence; empty when it passed. */
  reason: string;
  readyAfterMs: number | null;
  comparisons: SmokeComparison[];
}

/** Reads and checks smoke-test.json of a bundle. */
export function readSmokeTestData(path: string): SmokeTestData {
  let value: Partial<SmokeTestData>;
  try {
    value = JSON.parse(readFileSync(path, 'utf8')) as Partial<SmokeTestData>;
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ModelshipError(
      missing
        ? `${path}: not found; the bundle predates smoke tests, so repackage it with modelship package (or publish it again).`
        : `${path}: cannot be read as JSON (${messageOf(error)}).`,
    );
  }
  if (
    value.smoke_test_version !== SMOKE_TEST_VERSION ||
    !Array.isArray(value.rows) ||
    typeof value.inputs?.output !== 'string' ||
    typeof value.expected?.kind !== 'string'
  ) {
    throw new ModelshipError(
      `${path}: not smoke-test data of version ${SMOKE_TEST_VERSION}; repackage the bundle with this Modelship.`,
    );
  }
  return value as SmokeTestData;
}

/** Runs the smoke test against a server; never throws for what the server does. */
export async function runSmokeTest(options: SmokeTestOptions): Promise<SmokeTestResult> {
  const { url, data } = options;
  const comparisons: SmokeComparison[] = [];
  const ready = await waitUntilReady(url, options);
  if ('reason' in ready) return failed(ready.reason);
  const { readyAfterMs } = ready;
  const predict = await post(`${url}/predict`, { id: 'modelship-smoke-test', rows: data.rows });
  if ('error' in predict) return failed(`/predict: ${predict.error}`, readyAfterMs);
  comparisons.push(comparePredict(data, predict.body, options.negativeLabel));
  const infer = await post(`${url}/v2/models/${encodeURIComponent(data.model)}/infer`, {
    id: 'modelship-smoke-test',
    inputs:
      'tensors' in data.inputs
        ? data.inputs.tensors
        : [
            {
              name: data.inputs.name,
              shape: [data.inputs.data.length, data.inputs.width],
              datatype: 'FP32',
              data: data.inputs.data,
            },
          ],
    outputs: [{ name: data.inputs.output }],
  });
  if ('error' in infer) return failed(`infer: ${infer.error}`, readyAfterMs);
  comparisons.push(compareInfer(data, infer.body));
  const bad = comparisons.find((c) => !c.passed);
  return {
    passed: !bad,
    reason: bad ? describeComparison(bad) : '',
    readyAfterMs,
    comparisons,
  };

  function failed(reason: string, after: number | null = null): SmokeTestResult {
    return { passed: false, reason, readyAfterMs: after, comparisons };
  }
}

async function post(url: string, body: unknown): Promise<{ body: unknown } | { error: string }> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (response.status !== 200)
      return { error: `HTTP ${response.status} ${text.slice(0, 200).replace(/\s+/g, ' ')}` };
    return { body: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: messageOf(error) };
  }
}

/** Polls /v2/health/ready until it answers 200; the reason, in one clause, when it never does. */
export async function waitUntilReady(
  url: string,
  options: ReadyOptions = {},
): Promise<{ readyAfterMs: number } | { reason: string }> {
  const started = Date.now();
  const deadline = started + (options.readyTimeoutMs ?? 60_000);
  let last: string;
  for (;;) {
    try {
      const response = await fetch(`${url}/v2/health/ready`, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.status === 200) return { readyAfterMs: Date.now() - started };
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = messageOf(error);
    }
    if (options.stillRunning && !(await options.stillRunning()))
      return {
        reason: `the container exited before /v2/health/ready answered 200 (last: ${last}).`,
      };
    if (Date.now() > deadline)
      return {
        reason: `/v2/health/ready did not answer 200 within ${Math.round((deadline - started) / 1000)} s (last: ${last}).`,
      };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
