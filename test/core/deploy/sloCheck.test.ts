// serve.slo against a load test's figures: a figure at its limit meets it, one above misses it,
// and the sentence names the figure, the limit and the setting to change. The settings' order of
// precedence (override, modelship.yml, default) and their bounds.
import { describe, expect, it } from 'vitest';
import type { LoadTestResult } from '../../../src/core/deploy/loadTest.js';
import { loadTestRows } from '../../../src/core/deploy/loadTestReport.js';
import {
  loadTestSettings,
  parseLoadTestSetting,
  sloOf,
} from '../../../src/core/deploy/loadTestSettings.js';
import { checkSlo, describeSloMisses } from '../../../src/core/deploy/sloCheck.js';

function result(overrides: Partial<LoadTestResult> = {}): LoadTestResult {
  return {
    settings: { durationS: 10, concurrency: 4, rowsPerRequest: 32 },
    elapsedS: 10.02,
    requests: 1000,
    answered: 990,
    failed: 10,
    errors: { http: 7, timeouts: 2, connection: 1 },
    errorRate: 0.01,
    requestsPerSecond: 98.8,
    rowsPerSecond: 3161.7,
    latencyMs: { p50: 20, p95: 80, p99: 250, max: 900 },
    ...overrides,
  };
}

describe('checkSlo', () => {
  it('passes figures at their limits and with no SLO', () => {
    expect(checkSlo(result(), { p99Ms: 250, errorRate: 0.01 })).toEqual([]);
    expect(checkSlo(result(), {})).toEqual([]);
  });

  it('names each missed figure, its measure and the setting', () => {
    const misses = checkSlo(result({ errorRate: 0.0125, failed: 10, requests: 800 }), {
      p99Ms: 249.9,
      errorRate: 0.01,
    });
    expect(misses.map((m) => m.setting)).toEqual(['p99_ms', 'error_rate']);
    expect(describeSloMisses(misses)).toBe(
      'p99 latency 250.0 ms is above serve.slo.p99_ms 249.9 ms; error rate 0.0125 (10 of 800 requests) is above serve.slo.error_rate 0.01; make the model serve faster or more reliably, or change serve.slo.p99_ms and serve.slo.error_rate in modelship.yml.',
    );
  });

  it('misses a p99 limit when no request was answered', () => {
    const none = result({
      answered: 0,
      failed: 5,
      requests: 5,
      errorRate: 1,
      latencyMs: undefined,
    });
    expect(checkSlo(none, { p99Ms: 1000 })[0]!.text).toBe(
      'no request was answered, so p99 latency cannot meet serve.slo.p99_ms 1000 ms',
    );
  });

  it('misses an error-rate limit when no request was made at all', () => {
    const empty = result({
      requests: 0,
      answered: 0,
      failed: 0,
      errors: { http: 0, timeouts: 0, connection: 0 },
      errorRate: 0,
      latencyMs: undefined,
    });
    expect(checkSlo(empty, { errorRate: 0.01 })).toEqual([
      {
        setting: 'error_rate',
        text: 'no request was made, so the error rate cannot meet serve.slo.error_rate 0.01',
      },
    ]);
  });

  it('marks the rows of the table the SLO limits', () => {
    const slo = { p99Ms: 100 };
    const rows = loadTestRows(result(), slo, checkSlo(result(), slo));
    expect(rows.find((r) => r.figure === 'p99 latency')).toEqual({
      figure: 'p99 latency',
      measured: '250.0 ms',
      limit: '≤ 100 ms',
      met: false,
    });
    expect(rows.find((r) => r.figure === 'error rate')).toMatchObject({
      measured: '0.01 (7 non-2xx, 2 timeouts, 1 connection errors)',
      limit: '',
    });
  });
});

describe('load-test settings', () => {
  it('take the override, then modelship.yml, then the default', () => {
    expect(loadTestSettings(undefined)).toEqual({
      durationS: 10,
      concurrency: 4,
      rowsPerRequest: 32,
    });
    const serve = { load_test: { duration_s: 3, rows_per_request: 8 } };
    expect(loadTestSettings(serve, { rowsPerRequest: 2 })).toEqual({
      durationS: 3,
      concurrency: 4,
      rowsPerRequest: 2,
    });
  });

  it('read serve.slo, undefined when it sets no figure', () => {
    expect(sloOf(undefined)).toBeUndefined();
    expect(sloOf({ slo: {} })).toBeUndefined();
    expect(sloOf({ slo: { error_rate: 0 } })).toEqual({ p99Ms: undefined, errorRate: 0 });
  });

  it('parse an input or flag within its bounds, in one sentence otherwise', () => {
    expect(parseLoadTestSetting('durationS', ' 2.5 ', '--duration')).toBe(2.5);
    expect(parseLoadTestSetting('concurrency', '', 'input load-test-concurrency')).toBeUndefined();
    expect(() => parseLoadTestSetting('concurrency', '1.5', 'input load-test-concurrency')).toThrow(
      'input load-test-concurrency is "1.5"; expected a whole number from 1 to 256.',
    );
    expect(() => parseLoadTestSetting('durationS', '0', '--duration')).toThrow(
      '--duration is "0"; expected a number from 1 to 600.',
    );
    expect(() => parseLoadTestSetting('rowsPerRequest', '1e3', '--rows-per-request')).toThrow(
      /expected a whole number from 1 to 10000/,
    );
  });
});
