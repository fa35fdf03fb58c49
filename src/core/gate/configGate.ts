import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { fairnessGateConfig } from '../fairness/fairnessGate.js';
import type { IntervalSource } from '../stats/index.js';
import { evaluateGate, type GateResult, type GateValues } from './gate.js';
import { combineGates, sliceGate, type SliceResult } from './sliceGate.js';

/** What the config's gate reads beyond metrics and disparities. */
export type ConfigGateValues = GateValues & {
  /** Sensitive attributes without two groups of fairness.min_group_size rows: not gated. */
  ungated?: readonly string[];
  /** The slices of the report (`slices` in modelship.yml); undefined when it has none. */
  slices?: readonly SliceResult[];
  /** Each slice's intervals by name, for slice rules under a significance. */
  sliceIntervals?: ReadonlyMap<string, IntervalSource>;
};

/**
 * The gate `modelship.yml` declares (metrics, fairness and slice rules) applied to candidate and
 * baseline. Attributes in `ungated` are not checked, and slices under slices.min_count neither
 * (notes say so).
 */
export function applyConfigGate(
  loaded: ModelshipConfig,
  candidate: ConfigGateValues,
  baseline: ConfigGateValues | null,
): GateResult {
  const { config, notes } = fairnessGateConfig(loaded, candidate.ungated ?? []);
  const significance =
    config.intervals.significance === undefined
      ? {}
      : { significance: config.intervals.significance };
  const gate = evaluateGate({
    metricRules: config.metrics,
    fairnessRules: config.fairness?.thresholds ?? {},
    ...(config.fairness ? { attributes: config.fairness.sensitive } : {}),
    candidate,
    baseline,
    ...significance,
    confidence: config.intervals.confidence,
  });
  gate.notes.push(...notes);
  if (!config.slices) return gate;
  return combineGates(
    gate,
    sliceGate({
      rules: config.slices.metrics,
      candidate: candidate.slices,
      baseline: baseline ? (baseline.slices ?? []) : null,
      minCount: config.slices.min_count,
      ...(candidate.sliceIntervals ? { intervals: candidate.sliceIntervals } : {}),
      ...significance,
      confidence: config.intervals.confidence,
    }),
  );
}
