import type { z } from 'zod';
import type { ruleSchema } from '../config/modelshipConfig.js';
import type { FairnessMetric } from '../fairness/fairnessMetric.js';
import type { Interval, IntervalSource } from '../stats/index.js';
import { formatPair, formatShare, formatSharePair, formatValue, TOLERANCE } from './gateMessage.js';
import { judgeInterval } from './intervalJudge.js';
import { metricDirection } from './metricDirection.js';

/** The rules of one metric, as `modelship.yml` gives them. */
export type Rule = z.output<typeof ruleSchema>;
export type RuleName =
  'min' | 'max' | 'max_regression' | 'max_relative_regression' | 'min_improvement';

/** What the gate reads of one model's evaluation; a FairnessReport per attribute fits. */
export type GateValues = {
  metrics: Readonly<Record<string, number | null | undefined>>;
  fairness: Readonly<Record<string, Readonly<Partial<Record<FairnessMetric, number | null>>>>>;
  /** The candidate's intervals (and of its change against the baseline), for significance. */
  intervals?: IntervalSource;
};

export type GateInput = {
  metricRules: Readonly<Partial<Record<string, Rule>>>;
  fairnessRules: Readonly<Partial<Record<FairnessMetric, Rule>>>;
  candidate: GateValues;
  /** The production model's values; null before the first release. */
  baseline: GateValues | null;
  /** The sensitive attributes the config names; by default those in the candidate's fairness. */
  attributes?: readonly string[];
  /** Significance of every rule without its own (intervals.significance); none: point values. */
  significance?: number;
  /** The confidence min_improvement uses without a significance (intervals.confidence). */
  confidence?: number;
};

export type GateCheck = {
  metric: string;
  /** The sensitive attribute of a fairness check. */
  attribute?: string;
  /** The slice of a slice check, e.g. `region = north, age_group = 30-39`. */
  slice?: string;
  rule: RuleName;
  threshold: number;
  candidate: number | null;
  baseline: number | null;
  passed: boolean;
  message: string;
  /** Under a significance: the level, the interval judged, and whether it excludes the bound. */
  significance?: number;
  interval?: Interval;
  significant?: boolean;
};

export type GateResult = { passed: boolean; checks: GateCheck[]; notes: string[] };

export const NO_BASELINE_NOTE = 'no production model yet: only absolute thresholds were checked';

const RULES: readonly RuleName[] = [
  'min',
  'max',
  'max_regression',
  'max_relative_regression',
  'min_improvement',
];

/** What judges rules on intervals: the source and the gate-wide settings. */
interface IntervalSettings {
  source: IntervalSource | undefined;
  significance: number | undefined;
  confidence: number;
}

/** A value looked up in a report: missing (no key), undefined (null or NaN) or a number. */
type Found = { value: number; state: 'ok' } | { value: null; state: 'missing' | 'undefined' };

function find(source: Readonly<Record<string, unknown>> | undefined, key: string): Found {
  if (source === undefined || !Object.hasOwn(source, key) || source[key] === undefined) {
    return { value: null, state: 'missing' };
  }
  const value = source[key];
  return typeof value === 'number' && !Number.isNaN(value)
    ? { value, state: 'ok' }
    : { value: null, state: 'undefined' };
}

const atLeast = (value: number, bound: number) =>
  value >= bound || Math.abs(value - bound) < TOLERANCE;

function thresholdText(rule: RuleName, threshold: number): string {
  return rule === 'max_relative_regression' ? formatShare(threshold) : formatValue(threshold);
}

/** One rule against values that are both known (the candidate's, and the baseline's for changes). */
function judge(
  label: string,
  metric: string,
  rule: RuleName,
  threshold: number,
  candidate: number,
  baseline: number | null,
): { passed: boolean; message: string } {
  if (rule === 'min' || rule === 'max') {
    const passed = rule === 'min' ? atLeast(candidate, threshold) : atLeast(threshold, candidate);
    const [c, t] = formatPair(candidate, threshold);
    const sign = rule === 'min' ? (passed ? '≥' : '<') : passed ? '≤' : '>';
    return { passed, message: `${label} ${c} ${sign} ${t} (${rule})` };
  }
  const direction = metricDirection(metric);
  if (direction === undefined) throw new Error(`gate: no known direction for metric ${metric}`);
  const base = baseline!;
  const [from, to] = formatPair(base, candidate);
  const change = `(${from} → ${to})`;
  // How much worse the candidate is than the baseline, in the metric's own direction.
  const worse = direction === 'higher' ? base - candidate : candidate - base;
  const relative = rule === 'max_relative_regression';
  const limit = relative ? formatShare(threshold) : formatValue(threshold);
  const allowance = `${relative ? 'a relative regression' : 'a regression'} of at most ${limit} allowed`;
  if (relative && base === 0) {
    // MLflow's behaviour: a relative change from 0 is undefined, so only "unchanged" passes.
    const passed = Math.abs(candidate - base) < TOLERANCE;
    return {
      passed,
      message: passed
        ? `${label} unchanged ${change}; ${allowance}`
        : `${label} changed from a baseline of 0 ${change}; a relative change from 0 is ` +
          `undefined, so max_relative_regression ${limit} fails`,
    };
  }
  if (Math.abs(worse) < TOLERANCE) {
    return { passed: true, message: `${label} unchanged ${change}; ${allowance}` };
  }
  const amount = relative ? worse / Math.abs(base) : worse;
  const passed = atLeast(threshold, amount);
  if (worse < 0) {
    const by = relative ? formatShare(-amount) : formatValue(-amount);
    return {
      passed,
      message: `${label} improved by ${by} ${change}; ${allowance}`,
    };
  }
  const [by, allowed] = relative
    ? formatSharePair(amount, threshold)
    : formatPair(amount, threshold);
  return {
    passed,
    message: passed
      ? `${label} regressed by ${by} ${change}; within the ${allowed} allowed`
      : `${label} regressed by ${by} ${change}; at most ${allowed} allowed`,
  };
}

/** One rule judged on an interval at 1 − significance (min_improvement: at least at confidence). */
function intervalCheck(
  label: string,
  metric: string,
  attribute: string | undefined,
  name: RuleName,
  threshold: number,
  alpha: number | undefined,
  candidate: number,
  base: number | null,
  intervals: IntervalSettings,
  check: (passed: boolean, message: string) => GateCheck,
): GateCheck {
  const confidence = alpha === undefined ? intervals.confidence : 1 - alpha;
  const level = +(alpha ?? 1 - confidence).toFixed(6);
  const isChange = name !== 'min' && name !== 'max';
  const interval =
    intervals.source?.interval(isChange ? 'change' : 'value', metric, attribute, confidence) ??
    null;
  if (interval === null) {
    const what = isChange ? `the change of ${label}` : label;
    const text =
      `${what} has no ${+(confidence * 100).toFixed(4)}% interval, so the ${name} rule ` +
      `(${thresholdText(name, threshold)}, significance ${level}) fails; intervals come from ` +
      'evaluate with intervals.replicates above 0, at confidence 1 − significance';
    return check(false, text);
  }
  const direction = metricDirection(metric);
  if (direction === undefined) throw new Error(`gate: no known direction for metric ${metric}`);
  const point = { candidate, baseline: base };
  const v = judgeInterval(label, name, threshold, interval, point, direction, level);
  return {
    ...check(v.passed, v.message),
    significance: level,
    interval,
    significant: v.significant,
  };
}

/** The checks of one metric's rules (one attribute's, for a fairness metric). */
function checkRules(
  metric: string,
  attribute: string | undefined,
  rule: Rule,
  candidate: Found,
  baseline: Found | null,
  notes: string[],
  intervals: IntervalSettings,
): GateCheck[] {
  const label = attribute === undefined ? metric : `${metric} for ${attribute}`;
  const checks: GateCheck[] = [];
  for (const name of RULES) {
    const threshold = rule[name];
    if (threshold === undefined) continue;
    const isChange = name !== 'min' && name !== 'max';
    const base = baseline?.value ?? null;
    const check = (passed: boolean, message: string): GateCheck => ({
      metric,
      ...(attribute === undefined ? {} : { attribute }),
      rule: name,
      threshold,
      candidate: candidate.value,
      baseline: base,
      passed,
      message,
    });
    if (candidate.state !== 'ok') {
      // A metric named in a rule must be there to pass it, baseline or not.
      const what =
        candidate.state === 'missing'
          ? 'is missing from the candidate'
          : 'is undefined for the candidate (null)';
      const text = `${label} ${what}, so the ${name} rule (${thresholdText(name, threshold)}) fails`;
      checks.push(check(false, text));
      continue;
    }
    if (isChange && baseline === null) continue; // no production model: NO_BASELINE_NOTE
    if (isChange && baseline!.state !== 'ok') {
      notes.push(`${label}: the production model has no value, so ${name} was not checked`);
      continue;
    }
    const alpha = rule.significance ?? intervals.significance;
    // A relative change from a baseline of 0 is undefined: judged on points below, as without.
    const fromZero = name === 'max_relative_regression' && base === 0;
    if ((alpha !== undefined || name === 'min_improvement') && !fromZero) {
      checks.push(
        intervalCheck(
          label,
          metric,
          attribute,
          name,
          threshold,
          alpha,
          candidate.value,
          base,
          intervals,
          check,
        ),
      );
      continue;
    }
    const { passed, message } = judge(label, metric, name, threshold, candidate.value, base);
    checks.push(check(passed, message));
  }
  return checks;
}

/**
 * The merge gate (docs/evaluate-and-gate.md): every rule of every metric, and every fairness rule for
 * every sensitive attribute, against the candidate and, for change rules, the baseline. Bounds are
 * inclusive (differences under 1e-12 count as equal); a rule on a missing or undefined (null)
 * candidate value fails.
 */
export function evaluateGate(input: GateInput): GateResult {
  const { candidate, baseline } = input;
  const notes: string[] = [];
  const checks: GateCheck[] = [];
  if (baseline === null) notes.push(NO_BASELINE_NOTE);
  const intervals: IntervalSettings = {
    source: candidate.intervals,
    significance: input.significance,
    confidence: input.confidence ?? 0.95,
  };

  for (const [metric, rule] of Object.entries(input.metricRules)) {
    if (rule === undefined) continue;
    const base = baseline === null ? null : find(baseline.metrics, metric);
    checks.push(
      ...checkRules(
        metric,
        undefined,
        rule,
        find(candidate.metrics, metric),
        base,
        notes,
        intervals,
      ),
    );
  }

  const attributes = input.attributes ?? Object.keys(candidate.fairness);
  for (const [metric, rule] of Object.entries(input.fairnessRules)) {
    if (rule === undefined) continue;
    if (attributes.length === 0) {
      for (const name of RULES) {
        const threshold = rule[name];
        if (threshold === undefined) continue;
        const text =
          `${metric}: no sensitive attribute was evaluated, so the ${name} rule ` +
          `(${thresholdText(name, threshold)}) fails`;
        checks.push({
          metric,
          rule: name,
          threshold,
          candidate: null,
          baseline: null,
          passed: false,
          message: text,
        });
      }
      continue;
    }
    for (const attribute of attributes) {
      const own = (values: GateValues) =>
        Object.hasOwn(values.fairness, attribute) ? values.fairness[attribute] : undefined;
      const base = baseline === null ? null : find(own(baseline), metric);
      checks.push(
        ...checkRules(
          metric,
          attribute,
          rule,
          find(own(candidate), metric),
          base,
          notes,
          intervals,
        ),
      );
    }
  }
  return { passed: checks.every((c) => c.passed), checks, notes };
}
