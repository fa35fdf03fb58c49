/**
 * The serving SLO of modelship.yml (serve.slo) checked against a load test's figures. A missed
 * figure blocks promotion the way a failed smoke test does, so each miss says what was measured,
 * the limit and the setting that holds it.
 */
import type { LoadTestResult } from './loadTest.js';
import type { Slo } from './loadTestSettings.js';

export interface SloMiss {
  /** The setting under serve.slo, e.g. p99_ms. */
  setting: 'p99_ms' | 'error_rate';
  /** One clause: the figure, the measured value and the limit. */
  text: string;
}

/** The SLO's misses; empty when every figure it sets is met (or it sets none). */
export function checkSlo(result: LoadTestResult, slo: Slo): SloMiss[] {
  const misses: SloMiss[] = [];
  if (slo.p99Ms !== undefined) {
    const p99 = result.latencyMs?.p99;
    if (p99 === undefined)
      misses.push({
        setting: 'p99_ms',
        text: `no request was answered, so p99 latency cannot meet serve.slo.p99_ms ${slo.p99Ms} ms`,
      });
    else if (p99 > slo.p99Ms)
      misses.push({
        setting: 'p99_ms',
        text: `p99 latency ${formatMs(p99)} is above serve.slo.p99_ms ${slo.p99Ms} ms`,
      });
  }
  // No request at all measures nothing: an error-rate SLO cannot be met by an empty run.
  if (slo.errorRate !== undefined && result.requests === 0)
    misses.push({
      setting: 'error_rate',
      text: `no request was made, so the error rate cannot meet serve.slo.error_rate ${slo.errorRate}`,
    });
  else if (slo.errorRate !== undefined && result.errorRate > slo.errorRate)
    misses.push({
      setting: 'error_rate',
      text: `error rate ${formatRate(result.errorRate)} (${result.failed} of ${result.requests} requests) is above serve.slo.error_rate ${slo.errorRate}`,
    });
  return misses;
}

/** The misses and how to change them: the end of the sentence a deploy or the CLI stops with. */
export function describeSloMisses(misses: readonly SloMiss[]): string {
  const settings = misses.map((m) => `serve.slo.${m.setting}`).join(' and ');
  return `${misses.map((m) => m.text).join('; ')}; make the model serve faster or more reliably, or change ${settings} in modelship.yml.`;
}

/** Milliseconds with one decimal. */
export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** A share as a decimal that keeps small rates visible, e.g. 0.0125. */
export function formatRate(rate: number): string {
  return rate === 0 ? '0' : String(Number(rate.toPrecision(3)));
}
