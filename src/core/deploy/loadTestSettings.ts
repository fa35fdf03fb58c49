/**
 * How hard and how long a load test drives a serving image, and the SLO it must meet:
 * modelship.yml's serve section, each load-test setting overridden per run by the deploy action's
 * inputs or the CLI's options.
 */
import { LOAD_TEST_SETTINGS, type ServeConfig } from '../config/serveConfig.js';
import { ModelshipError } from '../errors.js';
import type { Slo } from './sloCheck.js';

export interface LoadTestSettings {
  /** How long requests are started for, in seconds. */
  durationS: number;
  /** Requests in flight at once, each on its own kept-alive connection. */
  concurrency: number;
  /** Holdout rows in the body of each POST /predict. */
  rowsPerRequest: number;
}

/** The config's snake_case name of each setting. */
export const LOAD_TEST_KEYS = {
  durationS: 'duration_s',
  concurrency: 'concurrency',
  rowsPerRequest: 'rows_per_request',
} as const satisfies Record<keyof LoadTestSettings, keyof typeof LOAD_TEST_SETTINGS>;

/** The settings of a run: the override when set, else modelship.yml's, else the default. */
export function loadTestSettings(
  serve: ServeConfig | undefined,
  overrides: Partial<LoadTestSettings> = {},
): LoadTestSettings {
  const pick = (key: keyof LoadTestSettings) => {
    const name = LOAD_TEST_KEYS[key];
    return overrides[key] ?? serve?.load_test?.[name] ?? LOAD_TEST_SETTINGS[name].default;
  };
  return {
    durationS: pick('durationS'),
    concurrency: pick('concurrency'),
    rowsPerRequest: pick('rowsPerRequest'),
  };
}

/** serve.slo as the check reads it; undefined when modelship.yml sets no figure. */
export function sloOf(serve: ServeConfig | undefined): Slo | undefined {
  const slo = serve?.slo;
  if (slo?.p99_ms === undefined && slo?.error_rate === undefined) return undefined;
  return { p99Ms: slo.p99_ms, errorRate: slo.error_rate };
}

/**
 * One setting as an action input or CLI option writes it (`where` names it); undefined when
 * empty. A value outside serve.load_test's bounds is one sentence naming it.
 */
export function parseLoadTestSetting(
  key: keyof LoadTestSettings,
  text: string,
  where: string,
): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const { min, max, integer } = LOAD_TEST_SETTINGS[LOAD_TEST_KEYS[key]];
  const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(value >= min && value <= max) || (integer && !Number.isInteger(value)))
    throw new ModelshipError(
      `${where} is "${text}"; expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}.`,
    );
  return value;
}
