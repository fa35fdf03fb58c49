/**
 * A load test's figures as rows of label, measured value and SLO limit, for the deploy job
 * summary's table and the CLI's text alike.
 */
import type { LoadTestResult } from './loadTest.js';
import type { Slo } from './loadTestSettings.js';
import { formatMs, formatRate, type SloMiss } from './sloCheck.js';

export interface LoadTestRow {
  figure: string;
  measured: string;
  /** The SLO's limit on the figure, e.g. `≤ 250 ms`; empty when it sets none. */
  limit: string;
  /** false when the figure missed its limit. */
  met?: boolean;
}

export function loadTestRows(
  result: LoadTestResult,
  slo: Slo | undefined,
  misses: readonly SloMiss[],
): LoadTestRow[] {
  const { latencyMs, errors } = result;
  const ms = (value: number | undefined) => (value === undefined ? '—' : formatMs(value));
  const limited = (setting: SloMiss['setting'], limit: number | undefined, unit: string) =>
    limit === undefined
      ? { limit: '' }
      : { limit: `≤ ${limit}${unit}`, met: !misses.some((m) => m.setting === setting) };
  return [
    {
      figure: 'requests',
      measured: `${result.requests} in ${result.elapsedS.toFixed(1)} s (${result.answered} answered)`,
      limit: '',
    },
    { figure: 'requests/s', measured: result.requestsPerSecond.toFixed(1), limit: '' },
    { figure: 'rows/s', measured: result.rowsPerSecond.toFixed(1), limit: '' },
    { figure: 'p50 latency', measured: ms(latencyMs?.p50), limit: '' },
    { figure: 'p95 latency', measured: ms(latencyMs?.p95), limit: '' },
    {
      figure: 'p99 latency',
      measured: ms(latencyMs?.p99),
      ...limited('p99_ms', slo?.p99Ms, ' ms'),
    },
    { figure: 'max latency', measured: ms(latencyMs?.max), limit: '' },
    {
      figure: 'error rate',
      measured: `${formatRate(result.errorRate)} (${errors.http} non-2xx, ${errors.timeouts} timeouts, ${errors.connection} connection errors)`,
      ...limited('error_rate', slo?.errorRate, ''),
    },
  ];
}

/** The settings as one phrase: `10 s, 4 in flight, 32 rows per request`. */
export function describeLoadTestSettings(result: LoadTestResult): string {
  const { durationS, concurrency, rowsPerRequest } = result.settings;
  return `${durationS} s, ${concurrency} in flight, ${rowsPerRequest} rows per request`;
}
