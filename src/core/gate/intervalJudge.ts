import type { Interval } from '../stats/index.js';
import { formatValue, TOLERANCE } from './gateMessage.js';
import type { Direction } from './metricDirection.js';

/** The rules an interval can judge. */
export type IntervalRule =
  'min' | 'max' | 'max_regression' | 'max_relative_regression' | 'min_improvement';

/** "95% CI 0.7102–0.8201": an interval as a message names it. */
export function intervalText(interval: Interval, signed = false): string {
  const value = (v: number) =>
    (signed && v > 0 ? `+${formatValue(v)}` : formatValue(v)).replace(/^-/, '−');
  const dash = signed ? '…' : '–';
  const confidence = `${+(interval.confidence * 100).toFixed(2)}%`;
  const method = interval.method === 'delong' ? 'DeLong' : 'bootstrap';
  return `${confidence} ${method} CI ${value(interval.low)}${dash}${value(interval.high)}`;
}

export interface IntervalVerdict {
  passed: boolean;
  /** Whether the interval lies wholly on one side of the rule's bound (the verdict is not noise). */
  significant: boolean;
  message: string;
}

/**
 * A rule judged on an interval. `interval` is the candidate's value for min/max, and the change
 * candidate − baseline for the others (in the metric's units; relative rules divide it by
 * |baseline|). min/max and the regression rules fail only when the whole interval is beyond the
 * bound; min_improvement passes only when the whole interval is an improvement of at least it.
 */
export function judgeInterval(
  label: string,
  rule: IntervalRule,
  threshold: number,
  interval: Interval,
  point: { candidate: number; baseline: number | null },
  direction: Direction,
  significance: number,
): IntervalVerdict {
  const at = `significance ${significance}`;
  if (rule === 'min' || rule === 'max') {
    const below = rule === 'min';
    const [near, far] = below ? [interval.high, interval.low] : [interval.low, interval.high];
    const whollyWrong = below ? near < threshold - TOLERANCE : near > threshold + TOLERANCE;
    const whollyRight = below ? far >= threshold - TOLERANCE : far <= threshold + TOLERANCE;
    const pointOk = below
      ? point.candidate >= threshold - TOLERANCE
      : point.candidate <= threshold + TOLERANCE;
    const value = `${label} ${formatValue(point.candidate)} (${intervalText(interval)})`;
    const bound = `${rule} ${formatValue(threshold)}`;
    const side = below ? 'below' : 'above';
    const message = whollyWrong
      ? `${value}: the whole interval is ${side} the ${bound} (${at})`
      : pointOk
        ? `${value} meets the ${bound}${whollyRight ? '' : `; the interval reaches ${side} it`} (${at})`
        : `${value} misses the ${bound}, not significant: the interval reaches it, so it passes (${at})`;
    return { passed: !whollyWrong, significant: whollyWrong || whollyRight, message };
  }
  const relative = rule === 'max_relative_regression';
  const scale = relative ? Math.abs(point.baseline!) : 1;
  // The improvement interval: candidate − baseline in the metric's good direction.
  const sign = direction === 'higher' ? 1 : -1;
  const ends = [(sign * interval.low) / scale, (sign * interval.high) / scale];
  const low = Math.min(...ends);
  const high = Math.max(...ends);
  const unit = (v: number) => (relative ? `${(v * 100).toFixed(2)}%` : formatValue(v));
  const change = `${label} changed by ${signed(point.candidate - point.baseline!)} (${intervalText(interval, true)}; ${formatValue(point.baseline!)} → ${formatValue(point.candidate)})`;
  if (rule === 'min_improvement') {
    const passed = low > threshold || (threshold > 0 && low >= threshold - TOLERANCE);
    return {
      passed,
      significant: passed || high < threshold,
      message: passed
        ? `${change}: a significant improvement of at least ${unit(threshold)} (${at})`
        : `${change}: not a significant improvement of at least ${unit(threshold)}; the interval reaches ${unit(low)} (${at})`,
    };
  }
  // Worse = −improvement; the rule fails only when even the least-bad end is beyond the limit.
  const leastWorse = -high;
  const mostWorse = -low;
  const failed = leastWorse > threshold + TOLERANCE;
  const allowance = `${relative ? 'a relative regression' : 'a regression'} of at most ${unit(threshold)} allowed`;
  // Point values would block it, the interval does not: the regression may be noise.
  const pointWorse = (sign * (point.baseline! - point.candidate)) / scale;
  const noise = !failed && pointWorse > threshold + TOLERANCE;
  return {
    passed: !failed,
    significant: failed || mostWorse <= threshold + TOLERANCE,
    message: failed
      ? `${change}: a significant regression, the whole interval beyond the ${unit(threshold)} allowed (${at})`
      : noise
        ? `${change}: not significant; ${allowance} (${at})`
        : `${change}; ${allowance} (${at})`,
  };
}

function signed(value: number): string {
  const text = formatValue(value);
  return value > 0 && text !== '0.0000' ? `+${text}` : text.replace(/^-/, '−');
}
