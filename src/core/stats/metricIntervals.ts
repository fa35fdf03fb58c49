import { ModelshipError } from '../errors.js';
import { delongAuc, delongPaired, normalInterval, type DelongPaired } from './delong.js';
import { pairedBootstrap, pointValues, type BootstrapSettings } from './pairedBootstrap.js';
import { percentileInterval, sortedFinite } from './quantiles.js';
import type { MetricKey, WeightedStatistic } from './weightedStatistic.js';

export type IntervalMethod = 'delong' | 'bootstrap-percentile';

/** An interval at a confidence, and how it was computed. */
export interface Interval {
  low: number;
  high: number;
  confidence: number;
  method: IntervalMethod;
}

/** Where the gate finds intervals: 'value' is the candidate's, 'change' candidate − baseline. */
export interface IntervalSource {
  /** null where the metric is undefined or has no interval (no baseline for a change). */
  interval(
    kind: 'value' | 'change',
    metric: string,
    attribute: string | undefined,
    confidence: number,
  ): Interval | null;
}

/** One metric's intervals as the JSON report carries them. */
export interface MetricIntervalReport {
  method: IntervalMethod;
  /** The candidate's interval; null where the metric is undefined. */
  low: number | null;
  high: number | null;
  /** Bootstrap: the replicates where the metric was defined (a 0/0 ratio is not). */
  replicates?: number;
  /** Against the baseline: candidate − baseline, its interval and, for DeLong, the p-value. */
  change?: {
    value: number | null;
    low: number | null;
    high: number | null;
    p_value?: number;
  };
}

/** The intervals section of the JSON report. */
export interface IntervalsReport {
  confidence: number;
  /** Bootstrap resamples of the holdout rows; paired: one resample drives both models. */
  replicates: number;
  seed: number;
  metrics: Record<string, MetricIntervalReport>;
  fairness: Record<string, Record<string, MetricIntervalReport>>;
}

const keyOf = (metric: string, attribute: string | undefined) =>
  attribute === undefined ? metric : `${attribute}\u0000${metric}`;

/**
 * The intervals of one candidate (and its paired baseline) on one set of rows: the bootstrap
 * distributions of every key of the statistics, and DeLong for roc_auc when scores are given.
 * Serves any confidence (the gate's significance may differ from the report's confidence).
 */
export class ModelIntervals implements IntervalSource {
  private readonly sorted = new Map<string, { value: Float64Array; change?: Float64Array }>();
  private readonly points = new Map<string, { candidate: number; baseline?: number }>();

  constructor(
    readonly settings: BootstrapSettings,
    readonly keys: readonly MetricKey[],
    distributions: Float64Array[][],
    points: Float64Array[],
    /** Whether a baseline was resampled with the candidate (change intervals exist). */
    readonly withBaseline: boolean,
    private readonly auc: {
      candidate: { auc: number; variance: number } | null;
      paired: DelongPaired | null;
    } | null,
  ) {
    keys.forEach((key, k) => {
      const value = distributions[0]![k]!;
      const base = distributions[1]?.[k];
      const change = base ? Float64Array.from(value, (v, r) => v - base[r]!) : undefined;
      this.sorted.set(keyOf(key.metric, key.attribute), {
        value: sortedFinite(value),
        ...(change ? { change: sortedFinite(change) } : {}),
      });
      const candidate = points[0]![k]!;
      const baseline = points[1]?.[k];
      this.points.set(keyOf(key.metric, key.attribute), {
        candidate,
        ...(baseline === undefined ? {} : { baseline }),
      });
    });
  }

  interval(
    kind: 'value' | 'change',
    metric: string,
    attribute: string | undefined,
    confidence: number,
  ): Interval | null {
    if (metric === 'roc_auc' && attribute === undefined && this.auc) {
      if (kind === 'value') {
        const a = this.auc.candidate;
        return (
          a && {
            ...normalInterval(a.auc, a.variance, confidence, 0, 1),
            confidence,
            method: 'delong',
          }
        );
      }
      const p = this.auc.paired;
      return (
        p && {
          ...normalInterval(p.difference, p.differenceVariance, confidence, -1, 1),
          confidence,
          method: 'delong',
        }
      );
    }
    const found = this.sorted.get(keyOf(metric, attribute));
    const values = kind === 'value' ? found?.value : found?.change;
    if (!values || values.length === 0) return null;
    return {
      ...percentileInterval(values, confidence),
      confidence,
      method: 'bootstrap-percentile',
    };
  }

  /** The JSON report's section at a confidence. */
  report(confidence: number): IntervalsReport {
    const metrics: Record<string, MetricIntervalReport> = {};
    const fairness: Record<string, Record<string, MetricIntervalReport>> = {};
    const entry = (metric: string, attribute: string | undefined): MetricIntervalReport => {
      const value = this.interval('value', metric, attribute, confidence);
      const change = this.interval('change', metric, attribute, confidence);
      const sorted = this.sorted.get(keyOf(metric, attribute));
      const method =
        metric === 'roc_auc' && attribute === undefined ? 'delong' : 'bootstrap-percentile';
      const point = this.points.get(keyOf(metric, attribute));
      const paired = this.auc?.paired;
      return {
        method,
        low: value?.low ?? null,
        high: value?.high ?? null,
        ...(sorted ? { replicates: sorted.value.length } : {}),
        ...(this.withBaseline
          ? {
              change: {
                value:
                  method === 'delong'
                    ? (paired?.difference ?? null)
                    : point &&
                        point.baseline !== undefined &&
                        !Number.isNaN(point.candidate - point.baseline)
                      ? point.candidate - point.baseline
                      : null,
                low: change?.low ?? null,
                high: change?.high ?? null,
                ...(method === 'delong' && paired ? { p_value: paired.pValue } : {}),
              },
            }
          : {}),
      };
    };
    if (this.auc) metrics.roc_auc = entry('roc_auc', undefined);
    for (const key of this.keys) {
      if (key.attribute === undefined) metrics[key.metric] = entry(key.metric, undefined);
      else (fairness[key.attribute] ??= {})[key.metric] = entry(key.metric, key.attribute);
    }
    return { confidence, ...this.settings, metrics, fairness };
  }
}

/** Checks what modelship.yml's intervals section gives (the schema does too; this is for callers). */
function checkSettings(settings: BootstrapSettings): void {
  if (!Number.isInteger(settings.replicates) || settings.replicates < 1)
    throw new ModelshipError(
      `intervals: replicates must be a positive integer, got ${settings.replicates}`,
    );
}

/**
 * The intervals of a candidate's statistic, paired with a baseline's on the same rows when given.
 * `scores` adds DeLong's roc_auc (binary labels and P(positive) of each model).
 */
export function metricIntervals(
  rows: number,
  candidate: WeightedStatistic,
  baseline: WeightedStatistic | null,
  settings: BootstrapSettings,
  scores?: { yTrue: Uint8Array; candidate: Float64Array; baseline: Float64Array | null },
): ModelIntervals {
  checkSettings(settings);
  const statistics = baseline ? [candidate, baseline] : [candidate];
  const distributions = pairedBootstrap(rows, statistics, settings);
  const points = statistics.map((s) => pointValues(rows, s));
  const auc = scores
    ? {
        candidate: delongAuc(scores.yTrue, scores.candidate),
        paired: scores.baseline
          ? delongPaired(scores.yTrue, scores.candidate, scores.baseline)
          : null,
      }
    : null;
  return new ModelIntervals(
    settings,
    candidate.keys,
    distributions,
    points,
    baseline !== null,
    auc,
  );
}

/**
 * The intervals a JSON report stored, as a source for the gate: only at the report's confidence
 * (a significance asking for another level finds none, and its rule says so).
 */
export function storedIntervals(report: IntervalsReport): IntervalSource {
  return {
    interval(kind, metric, attribute, confidence) {
      if (Math.abs(confidence - report.confidence) > 1e-9) return null;
      const entry =
        attribute === undefined ? report.metrics[metric] : report.fairness[attribute]?.[metric];
      const ends = kind === 'value' ? entry : entry?.change;
      if (!entry || !ends || ends.low === null || ends.high === null) return null;
      return { low: ends.low, high: ends.high, confidence, method: entry.method };
    },
  };
}
