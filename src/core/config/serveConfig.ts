/**
 * modelship.yml's serve section: the load test deploy runs before an environment's tag moves,
 * and the SLO it must meet.
 */
import { z } from 'zod';

/** Each load-test setting's default and bounds, shared by the schema, the action and the CLI. */
export const LOAD_TEST_SETTINGS = {
  duration_s: { default: 10, min: 1, max: 600, integer: false },
  concurrency: { default: 4, min: 1, max: 256, integer: true },
  rows_per_request: { default: 32, min: 1, max: 10_000, integer: true },
} as const;

function setting(name: keyof typeof LOAD_TEST_SETTINGS, text: string) {
  const s = LOAD_TEST_SETTINGS[name];
  const number = s.integer ? z.number().int() : z.number();
  return number
    .min(s.min)
    .max(s.max)
    .optional()
    .describe(`${text} (${s.min} to ${s.max}; default ${s.default}).`);
}

export const serveSchema = z
  .object({
    load_test: z
      .object({
        duration_s: setting('duration_s', 'Seconds the load test starts requests for'),
        concurrency: setting(
          'concurrency',
          'Requests in flight at once, each on its own kept-alive connection',
        ),
        rows_per_request: setting(
          'rows_per_request',
          "Holdout rows (the bundle's smoke-test rows, repeated) in each POST /predict",
        ),
      })
      .strict()
      .optional()
      .describe(
        "How deploy drives the pushed image after its smoke test; the deploy action's load-test-* inputs override each setting.",
      ),
    slo: z
      .object({
        p99_ms: z
          .number()
          .positive()
          .optional()
          .describe('Highest 99th-percentile latency of answered requests, in milliseconds.'),
        error_rate: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe(
            'Highest share of failed requests (non-2xx answers, timeouts, connection errors), 0 to 1.',
          ),
      })
      .strict()
      .optional()
      .describe(
        "The load test's service-level objective: a missed figure stops deploy before the environment's tag moves or a deployment is recorded, like a failed smoke test.",
      ),
  })
  .strict()
  .optional()
  .describe('The serving image: its load test in deploy and the SLO it must meet.');

export type ServeConfig = z.output<typeof serveSchema>;
