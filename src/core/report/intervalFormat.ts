import type { EvaluationReport } from '../evaluation/evaluationReport.js';
import type { MetricIntervalReport } from '../stats/index.js';
import { formatChange, formatValue } from './numberFormat.js';
import { groupedCount } from '../numberText.js';

/**
 * Decimals that show an interval's width and no more: 2 for a width of 0.11, 3 for 0.046
 * (one digit past the width's first), between 2 and 6.
 */
function decimalsFor(low: number, high: number): number {
  const width = Math.abs(high - low);
  if (!(width > 0)) return 4;
  return Math.min(6, Math.max(2, Math.ceil(-Math.log10(width)) + 1));
}

const minus = (text: string) => text.replace(/^-/, '−');

/** `0.7658 (0.71–0.82)`: a value and its interval, or the value alone when it has none. */
export function valueWithInterval(
  value: number | null,
  entry: MetricIntervalReport | undefined,
): string {
  const text = formatValue(value);
  if (value === null || !entry || entry.low === null || entry.high === null) return text;
  const d = decimalsFor(entry.low, entry.high);
  return `${text} (${minus(entry.low.toFixed(d))}–${minus(entry.high.toFixed(d))})`;
}

/** Whether a change interval leaves 0 out: the change is significant at the report's confidence. */
export function changeIsSignificant(entry: MetricIntervalReport | undefined): boolean | undefined {
  const c = entry?.change;
  if (!c || c.low === null || c.high === null) return undefined;
  return c.low > 0 || c.high < 0;
}

/** `+0.0018 (−0.021…+0.025), not significant`: a change, its interval, and whether it is noise. */
export function changeWithInterval(delta: number, entry: MetricIntervalReport | undefined): string {
  const text = formatChange(delta);
  const c = entry?.change;
  if (!c || c.low === null || c.high === null) return text;
  const d = decimalsFor(c.low, c.high);
  const end = (v: number) => {
    const fixed = Math.abs(v).toFixed(d);
    return Number(fixed) === 0 ? fixed : `${v > 0 ? '+' : '−'}${fixed}`;
  };
  return `${text} (${end(c.low)}…${end(c.high)})${changeIsSignificant(entry) ? '' : ', not significant'}`;
}

/** One line on how the intervals were computed, for under a metrics table. */
export function intervalsNote(report: EvaluationReport): string {
  const i = report.intervals;
  if (!i) return '';
  const confidence = `${+(i.confidence * 100).toFixed(2)}%`;
  const delong = 'roc_auc' in i.metrics ? "roc_auc by DeLong's method, the others by a " : 'a ';
  const paired = report.baseline ? 'paired ' : '';
  return `${confidence} intervals: ${delong}${paired}bootstrap of the holdout rows (percentile, ${groupedCount(i.replicates)} resamples, seed ${i.seed}).`;
}
