import { z } from 'zod';

export const ROLLBACK_MODES = ['auto', 'manual', 'off'] as const;
export type RollbackMode = (typeof ROLLBACK_MODES)[number];

/**
 * `rollback:` of modelship.yml: when drift-check calls production degraded, and what it does then.
 * Takes the metric names so that this file needs nothing of modelshipConfig.ts, which imports it.
 */
export function rollbackSchema(metricNames: readonly [string, ...string[]]) {
  return z
    .object({
      mode: z
        .enum(ROLLBACK_MODES)
        .default('manual')
        .describe(
          "What drift-check does when production degrades. auto: outputs rollback-to (the previous good production version) for the drift workflow's rollback job to deploy; manual: the drift issue names the workflow dispatch that rolls back; off: the issue reports the degradation only. Default manual.",
        ),
      max_regression: z
        .partialRecord(z.enum(metricNames), z.number().min(0))
        .optional()
        .describe(
          "Per metric, the most the metric on labelled current data may be worse than the release's own (its metrics.json), in the metric's units and direction, e.g. { roc_auc: 0.05 }. The gate's min and max rules (metrics) apply too. Default: none.",
        ),
      max_extreme_share: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe(
          "Most share of current rows whose score is NaN or outside the range the release's scores spanned (its profile), e.g. 0.01. Binary and regression models. Default: reported, not judged.",
        ),
    })
    .strict();
}

export type RollbackConfig = z.output<ReturnType<typeof rollbackSchema>>;
