import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { fairnessGateConfig } from '../fairness/fairnessGate.js';
import { evaluateGate, type GateResult, type GateValues } from './gate.js';

/**
 * The gate `modelship.yml` declares (metrics and fairness rules) applied to candidate and baseline.
 * `ungated`: sensitive attributes with fewer than two groups of fairness.min_group_size rows,
 * whose rules are not checked (a note says so).
 */
export function applyConfigGate(
  loaded: ModelshipConfig,
  candidate: GateValues & { ungated?: readonly string[] },
  baseline: GateValues | null,
): GateResult {
  const { config, notes } = fairnessGateConfig(loaded, candidate.ungated ?? []);
  const gate = evaluateGate({
    metricRules: config.metrics,
    fairnessRules: config.fairness?.thresholds ?? {},
    ...(config.fairness ? { attributes: config.fairness.sensitive } : {}),
    candidate,
    baseline,
    ...(config.intervals.significance === undefined
      ? {}
      : { significance: config.intervals.significance }),
    confidence: config.intervals.confidence,
  });
  gate.notes.push(...notes);
  return gate;
}
