/**
 * Compares what a serving image answered for the smoke-test rows with the predictions recorded in
 * the bundle: every probability or value within the tolerance, every binary label on the right side
 * of the threshold (rows within the tolerance of it excepted).
 */
import type { SmokeTestData } from '../release/smokeTestFormat.js';

export interface SmokeMismatch {
  /** 1-based row of smoke-test.json. */
  row: number;
  what: string;
  expected: string;
  actual: string;
}

export interface SmokeComparison {
  route: string;
  rows: number;
  passed: boolean;
  /** The largest absolute difference seen (NaN when the answer could not be read). */
  maxDifference: number;
  mismatches: SmokeMismatch[];
  /** Why the answer could not be compared at all (wrong shape, missing field). */
  problem?: string;
}

/** Mismatches kept in a comparison; the count says how many there were. */
const KEPT = 5;

/**
 * Compares a POST /predict answer with smoke-test.json. `negativeLabel` is the label /predict
 * gives below the threshold, resolved from the bundle's config and contract as the server does
 * (labelsOf in serve/serveTarget.ts); when neither names it, a label is only checked for not being
 * the positive one.
 */
export function comparePredict(
  data: SmokeTestData,
  body: unknown,
  negativeLabel?: string,
): SmokeComparison {
  const route = '/predict';
  const answer = (body ?? {}) as Record<string, unknown>;
  const { expected } = data;
  if (expected.kind === 'regression')
    return compareValues(data, route, expected.predictions, answer.predictions, 'prediction');
  if (expected.kind === 'multiclass') {
    const actual = answer.probabilities;
    if (!Array.isArray(actual) || !actual.every(Array.isArray))
      return unreadable(data, route, 'probabilities is not a list of rows');
    return compareValues(
      data,
      route,
      expected.probabilities.flat(),
      (actual as unknown[][]).flat(),
      'probability',
    );
  }
  const result = compareValues(
    data,
    route,
    expected.probabilities,
    answer.probabilities,
    `P(${expected.positive})`,
  );
  const labels = answer.labels;
  if (result.problem) return result;
  if (!Array.isArray(labels) || labels.length !== expected.probabilities.length)
    return unreadable(data, route, 'labels is not one label per row');
  expected.probabilities.forEach((p, i) => {
    if (Math.abs(p - expected.threshold) <= data.tolerance) return;
    const positive = p >= expected.threshold;
    const right =
      positive || negativeLabel !== undefined
        ? labels[i] === (positive ? expected.positive : negativeLabel)
        : labels[i] !== expected.positive;
    if (!right)
      push(result, {
        row: i + 1,
        what: 'label',
        expected: positive
          ? expected.positive
          : (negativeLabel ?? `a label other than ${expected.positive}`),
        actual: String(labels[i]),
      });
  });
  return result;
}

/** Compares an Open Inference Protocol infer answer (the score output) with smoke-test.json. */
export function compareInfer(data: SmokeTestData, body: unknown): SmokeComparison {
  const route = `/v2/models/${data.model}/infer`;
  const outputs = (body as { outputs?: unknown } | null)?.outputs;
  const output = Array.isArray(outputs)
    ? (outputs as { name?: unknown; shape?: unknown; data?: unknown }[]).find(
        (o) => o?.name === data.inputs.output,
      )
    : undefined;
  if (!output || !Array.isArray(output.data) || !Array.isArray(output.shape))
    return unreadable(data, route, `no output named ${data.inputs.output} with shape and data`);
  const values = (output.data as unknown[]).flat(Infinity);
  const shape = output.shape as number[];
  const n = data.rows.length;
  const { expected } = data;
  if (expected.kind === 'binary') {
    // [N, 2]: column 1 (or positive_column) is P(positive); [N, 1] or [N]: the value is.
    const two = shape.length === 2 && shape[1] === 2;
    const column = data.inputs.positive_column ?? 1;
    const scores = two ? values.filter((_, i) => i % 2 === column) : values;
    return compareValues(data, route, expected.probabilities, scores, `P(${expected.positive})`);
  }
  if (expected.kind === 'multiclass')
    return compareValues(data, route, expected.probabilities.flat(), values, 'probability');
  return compareValues(data, route, expected.predictions, values.slice(0, n), 'prediction');
}

function compareValues(
  data: SmokeTestData,
  route: string,
  expected: number[],
  actual: unknown,
  what: string,
): SmokeComparison {
  if (!Array.isArray(actual) || actual.length !== expected.length)
    return unreadable(
      data,
      route,
      `expected ${expected.length} values, got ${Array.isArray(actual) ? actual.length : 'none'}`,
    );
  const result: SmokeComparison = {
    route,
    rows: data.rows.length,
    passed: true,
    maxDifference: 0,
    mismatches: [],
  };
  const perRow = expected.length / Math.max(data.rows.length, 1);
  expected.forEach((want, i) => {
    const got = actual[i] as unknown;
    const difference = typeof got === 'number' ? Math.abs(got - want) : NaN;
    // NaN (not a number, or NaN served) never passes.
    if (!(difference <= data.tolerance)) {
      push(result, {
        row: Math.floor(i / perRow) + 1,
        what,
        expected: String(want),
        actual: String(got),
      });
    }
    if (!Number.isNaN(difference))
      result.maxDifference = Math.max(result.maxDifference, difference);
    else result.maxDifference = NaN;
  });
  return result;
}

function push(result: SmokeComparison, mismatch: SmokeMismatch): void {
  result.passed = false;
  if (result.mismatches.length < KEPT) result.mismatches.push(mismatch);
}

function unreadable(data: SmokeTestData, route: string, problem: string): SmokeComparison {
  return {
    route,
    rows: data.rows.length,
    passed: false,
    maxDifference: NaN,
    mismatches: [],
    problem,
  };
}

/** One sentence about a failed comparison, for the summary and the step's error. */
export function describeComparison(c: SmokeComparison): string {
  if (c.passed)
    return `${c.route}: ${c.rows} rows match the recorded predictions (largest difference ${c.maxDifference.toExponential(1)}).`;
  if (c.problem) return `${c.route}: the answer could not be compared (${c.problem}).`;
  const first = c.mismatches[0]!;
  return `${c.route}: row ${first.row} ${first.what} is ${first.actual}, but the bundle recorded ${first.expected}${c.mismatches.length > 1 ? ` (and other rows differ too)` : ''}.`;
}
