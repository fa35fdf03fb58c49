import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { evaluateGate, type GateResult, type GateValues } from './gate.js';

/** The gate `modelship.yml` declares (metrics and fairness rules) applied to candidate and baseline. */
export function applyConfigGate(
  config: ModelshipConfig,
  candidate: GateValues,
  baseline: GateValues | null,
): GateResult {
  return evaluateGate({
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
}
