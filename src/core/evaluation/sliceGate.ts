import type { Rule } from '../gate/gate.js';
import type { ModelshipConfig } from '../config/modelshipConfig.js';
import type { IntervalSource } from '../stats/index.js';
import type { ModelResults } from './evaluationReport.js';
import type { Labels } from './labels.js';
import type { ScoredRows } from './reportIntervals.js';
import { attachSliceIntervals, sliceIntervals } from './sliceIntervals.js';
import { evaluateGate, NO_BASELINE_NOTE, type GateResult } from '../gate/gate.js';
import { sliceName, type SliceResult } from './slices.js';

/** What the slice gate reads: the rules, both models' slices and, for significance, intervals. */
export interface SliceGateInput {
  rules: Readonly<Partial<Record<string, Rule>>>;
  candidate: readonly SliceResult[];
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
 * compares with the production model's same slice. Checks carry the slice's name.
 */
export function sliceGate(input: SliceGateInput): GateResult {
  const { rules, candidate, baseline, minCount } = input;
  const result: GateResult = { passed: true, checks: [], notes: [] };
  if (Object.keys(rules).length === 0) return result;
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

/** The slice rules, judged under a significance on each slice's intervals (also reported). */
export function configSliceGate(
  config: ModelshipConfig,
  labels: Labels,
  scored: readonly ScoredRows[],
  candidate: ModelResults,
  baseline: ModelResults | null,
): GateResult {
  const slices = candidate.slices ?? [];
  const intervals = sliceIntervals(config, labels, scored[0]!, baseline ? scored[1]! : null);
  attachSliceIntervals(slices, intervals, config.intervals.confidence);
  return sliceGate({
    rules: config.slices?.metrics ?? {},
    candidate: slices,
    baseline: baseline ? (baseline.slices ?? []) : null,
    minCount: config.slices?.min_count ?? 1,
    intervals,
    ...(config.intervals.significance === undefined
      ? {}
      : { significance: config.intervals.significance }),
    confidence: config.intervals.confidence,
  });
}

/** Two gates' checks and notes as one verdict. */
export function combineGates(first: GateResult, second: GateResult): GateResult {
  return {
    passed: first.passed && second.passed,
    checks: [...first.checks, ...second.checks],
    notes: [...first.notes, ...second.notes],
  };
}
