/**
 * Whether production degraded: on labelled current data its metrics fall through the gate's rules
 * (the same rules evaluate applies to a candidate, with the release's own metrics as the baseline)
 * or regress past rollback.max_regression, or too many of its scores are extreme
 * (rollback.max_extreme_share). drift-check puts the verdict first in the drift issue and, with
 * rollback.mode auto, rolls back on it.
 */
import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { evaluateGate, NO_BASELINE_NOTE, type Rule } from '../gate/gate.js';
import { formatPair, formatSharePair, TOLERANCE } from '../gate/gateMessage.js';
import type { Degradation, DegradationCheck, PerformanceDrift } from './driftReport.js';
import type { ExtremeOutputs } from './extremeOutputs.js';

export interface DegradationInput {
  config: Pick<ModelshipConfig, 'metrics' | 'rollback'>;
  performance?: PerformanceDrift | undefined;
  extreme?: ExtremeOutputs | undefined;
}

/** Judges production on the drift report's performance and extreme outputs. */
export function judgeDegradation(input: DegradationInput): Degradation {
  const { config, performance, extreme } = input;
  const checks: DegradationCheck[] = [];
  const notes: string[] = [];
  if (performance) {
    checks.push(...metricChecks('gate', gateRules(config.metrics), performance, notes));
    const regression = Object.fromEntries(
      Object.entries(config.rollback.max_regression ?? {}).map(([metric, limit]) => [
        metric,
        { max_regression: limit } as Rule,
      ]),
    );
    checks.push(...metricChecks('regression', regression, performance, notes));
  } else if (Object.keys(config.metrics).length || config.rollback.max_regression) {
    notes.push(
      'Performance was not judged: the current data has no labels (the target column), or the model could not score it.',
    );
  }
  const limit = config.rollback.max_extreme_share;
  if (extreme && limit !== undefined) checks.push(extremeCheck(extreme, limit));
  else if (limit !== undefined)
    notes.push(
      "Extreme outputs were not judged: they need a binary or regression model and the range of the release's scores.",
    );
  const failed = checks.filter((c) => !c.passed);
  return {
    degraded: failed.length > 0,
    reasons: failed.map((c) => c.message),
    checks,
    notes,
  };
}

/**
 * The gate's rules that say something about a model in production: min, max and the regression
 * rules against the release. min_improvement asks a candidate to beat production, which production
 * cannot do against itself, and there are no intervals on current data, so rules are judged on
 * point values.
 */
function gateRules(metrics: ModelshipConfig['metrics']): Record<string, Rule> {
  const rules: Record<string, Rule> = {};
  for (const [metric, rule] of Object.entries(metrics)) {
    if (!rule) continue;
    const { min_improvement: _improvement, significance: _significance, ...kept } = rule;
    if (Object.values(kept).some((v) => v !== undefined)) rules[metric] = kept as Rule;
  }
  return rules;
}

function metricChecks(
  kind: 'gate' | 'regression',
  rules: Record<string, Rule>,
  performance: PerformanceDrift,
  notes: string[],
): DegradationCheck[] {
  const judged: Record<string, Rule> = {};
  for (const [metric, rule] of Object.entries(rules)) {
    const value = performance.metrics[metric]?.current;
    if (typeof value === 'number' && !Number.isNaN(value)) judged[metric] = rule;
    else
      notes.push(
        `${metric} is undefined on the current data (e.g. one class only), so its ${kind === 'gate' ? 'gate rules were' : 'rollback.max_regression was'} not judged.`,
      );
  }
  const values = (side: 'current' | 'reference') => ({
    metrics: Object.fromEntries(Object.entries(performance.metrics).map(([m, v]) => [m, v[side]])),
    fairness: {},
  });
  const hasReference = Object.values(performance.metrics).some((v) => v.reference !== null);
  const result = evaluateGate({
    metricRules: judged,
    fairnessRules: {},
    attributes: [],
    candidate: values('current'),
    baseline: hasReference ? values('reference') : null,
  });
  if (
    !hasReference &&
    Object.values(judged).some(
      (r) => r.max_regression !== undefined || r.max_relative_regression !== undefined,
    )
  )
    notes.push("Regression rules were not judged: the release's metrics.json was not available.");
  // Without the release's metrics the note above says it; the gate's wording is about a PR.
  for (const note of result.notes)
    if (note !== NO_BASELINE_NOTE) notes.push(`${note.charAt(0).toUpperCase()}${note.slice(1)}.`);
  return result.checks.map((c) => ({
    kind,
    metric: c.metric,
    passed: c.passed,
    message: kind === 'regression' ? `${c.message} (rollback.max_regression)` : c.message,
  }));
}

function extremeCheck(extreme: ExtremeOutputs, limit: number): DegradationCheck {
  const count = extreme.not_finite + extreme.below + extreme.above;
  const passed = extreme.share <= limit + TOLERANCE;
  const [share, allowed] = formatSharePair(extreme.share, limit);
  const [min, max] = formatPair(extreme.range.min, extreme.range.max);
  const parts = [
    `${extreme.not_finite} not a number`,
    `${extreme.below} below`,
    `${extreme.above} above`,
  ].join(', ');
  return {
    kind: 'extreme',
    metric: 'extreme outputs',
    passed,
    message:
      `${share} of the current scores (${count} of ${extreme.rows}) are NaN or outside the ` +
      `release's range [${min}, ${max}] (${parts}); ${passed ? 'within the' : 'at most'} ` +
      `${allowed} allowed (rollback.max_extreme_share)`,
  };
}
