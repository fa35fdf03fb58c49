import type { Rule } from '../gate/gate.js';
import { evaluateGate, NO_BASELINE_NOTE, type GateResult } from '../gate/gate.js';
import { sliceName, type SliceResult } from './slices.js';

/**
 * The slice rules (`slices.metrics`) on every slice of at least min_count rows; a change rule
 * compares with the production model's same slice. Checks carry the slice's name.
 */
export function sliceGate(
  rules: Readonly<Partial<Record<string, Rule>>>,
  candidate: readonly SliceResult[],
  baseline: readonly SliceResult[] | null,
  minCount: number,
): GateResult {
  const result: GateResult = { passed: true, checks: [], notes: [] };
  if (Object.keys(rules).length === 0) return result;
  const production = new Map((baseline ?? []).map((s) => [sliceName(s), s]));
  for (const slice of candidate) {
    if (!slice.gated) continue;
    const name = sliceName(slice);
    const gate = evaluateGate({
      metricRules: rules,
      fairnessRules: {},
      candidate: { metrics: slice.metrics, fairness: {} },
      baseline: baseline ? { metrics: production.get(name)?.metrics ?? {}, fairness: {} } : null,
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
