import type { IntervalSource, MetricIntervalReport } from '../stats/index.js';
import {
  evaluateGate,
  NO_BASELINE_NOTE,
  type GateResult,
  type Rule,
  type RuleName,
} from './gate.js';

const RULE_NAMES: readonly RuleName[] = [
  'min',
  'max',
  'max_regression',
  'max_relative_regression',
  'min_improvement',
];

/** One slice of the holdout: rows whose columns hold these values, and the model's metrics on them. */
export interface SliceResult {
  /** The columns crossed, in config order. */
  columns: string[];
  /** Each column's value in this slice ('(missing)' for a null). */
  values: string[];
  count: number;
  metrics: Record<string, number | null>;
  /** Whether the gate read this slice: it has at least slices.min_count rows. */
  gated: boolean;
  /** Per metric, the candidate's interval and its change's against the production model's slice. */
  intervals?: Record<string, MetricIntervalReport>;
}

/** A slice's name, e.g. `region = north, age_group = 30-39`; unique within a report. */
export function sliceName(slice: Pick<SliceResult, 'columns' | 'values'>): string {
  return slice.columns.map((column, i) => `${column} = ${slice.values[i]}`).join(', ');
}

/** What the slice gate reads: the rules, both models' slices and, for significance, intervals. */
export interface SliceGateInput {
  rules: Readonly<Partial<Record<string, Rule>>>;
  /** The candidate's slices; undefined when the report has none. */
  candidate: readonly SliceResult[] | undefined;
  /** The production model's slices; null before the first release. */
  baseline: readonly SliceResult[] | null;
  minCount: number;
  /** Each slice's intervals by name, for rules judged under a significance. */
  intervals?: ReadonlyMap<string, IntervalSource>;
  /** intervals.significance and intervals.confidence of modelship.yml. */
  significance?: number;
  confidence?: number;
}

/**
 * The slice rules (`slices.metrics`) on every slice of at least min_count rows; a change rule
 * compares with the production model's same slice. Checks carry the slice's name. A report
 * without slices fails every rule, as a fairness rule without attributes does.
 */
export function sliceGate(input: SliceGateInput): GateResult {
  const { rules, candidate, baseline, minCount } = input;
  const result: GateResult = { passed: true, checks: [], notes: [] };
  if (Object.keys(rules).length === 0) return result;
  if (candidate === undefined) {
    for (const [metric, rule] of Object.entries(rules))
      for (const name of RULE_NAMES) {
        const threshold = rule?.[name];
        if (threshold === undefined) continue;
        result.checks.push({
          metric,
          slice: '(none)',
          rule: name,
          threshold,
          candidate: null,
          baseline: null,
          passed: false,
          message: `slices: the report has no slices, so the ${metric} ${name} rule (${threshold}) fails; evaluate writes them when modelship.yml has slices`,
        });
      }
    result.passed = false;
    return result;
  }
  const production = new Map((baseline ?? []).map((s) => [sliceName(s), s]));
  for (const slice of candidate) {
    if (!slice.gated) continue;
    const name = sliceName(slice);
    const intervals = input.intervals?.get(name);
    const gate = evaluateGate({
      metricRules: rules,
      fairnessRules: {},
      candidate: { metrics: slice.metrics, fairness: {}, ...(intervals ? { intervals } : {}) },
      baseline: baseline ? { metrics: production.get(name)?.metrics ?? {}, fairness: {} } : null,
      ...(input.significance === undefined ? {} : { significance: input.significance }),
      ...(input.confidence === undefined ? {} : { confidence: input.confidence }),
    });
    for (const check of gate.checks)
      result.checks.push({ ...check, slice: name, message: `slice ${name}: ${check.message}` });
    for (const note of gate.notes)
      if (note !== NO_BASELINE_NOTE) result.notes.push(`slice ${name}: ${note}`);
  }
  const small = candidate.filter((s) => !s.gated).length;
  if (small > 0)
    result.notes.push(
      `${small} slice${small === 1 ? ' has' : 's have'} fewer than ${minCount} rows (slices.min_count) and ${small === 1 ? 'was' : 'were'} not gated`,
    );
  result.passed = result.checks.every((c) => c.passed);
  return result;
}

/** Two gates' checks and notes as one verdict. */
export function combineGates(first: GateResult, second: GateResult): GateResult {
  return {
    passed: first.passed && second.passed,
    checks: [...first.checks, ...second.checks],
    notes: [...first.notes, ...second.notes],
  };
}
