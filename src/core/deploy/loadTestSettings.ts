/**
 * How hard and how long a load test drives a serving image, and the SLO it must meet:
 * modelship.yml's serve section, each load-test setting overridden per run by the deploy action's
 * inputs or the CLI's options.
 */
import { LOAD_TEST_SETTINGS, type ServeConfig } from '../config/serveConfig.js';
import { ModelshipError } from '../errors.js';

export interface LoadTestSettings {
  /** How long requests are started for, in seconds. */
  durationS: number;
  /** Requests in flight at once, each on its own kept-alive connection. */
  concurrency: number;
  /** Holdout rows in the body of each POST /predict. */
  rowsPerRequest: number;
}

/** serve.slo: the figures a load test must meet. */
export interface Slo {
  /** The highest acceptable 99th-percentile latency of answered requests, in milliseconds. */
  p99Ms?: number | undefined;
  /** The highest acceptable share of failed requests (non-2xx, timeouts, connection errors). */
  errorRate?: number | undefined;
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

/** What a setting takes, e.g. `a whole number from 1 to 256`. */
export function loadTestSettingRange(key: keyof LoadTestSettings): string {
  const { min, max, integer } = LOAD_TEST_SETTINGS[LOAD_TEST_KEYS[key]];
  return `${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`;
}

/**
 * One setting as an action input or CLI option writes it: undefined when empty, NaN when it is
 * not a value within serve.load_test's bounds.
 */
export function loadTestSettingValue(
  key: keyof LoadTestSettings,
  text: string,
): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  const { min, max, integer } = LOAD_TEST_SETTINGS[LOAD_TEST_KEYS[key]];
  const value = /^\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : NaN;
  return value >= min && value <= max && (!integer || Number.isInteger(value)) ? value : NaN;
}

/** loadTestSettingValue, with a value it does not take as one sentence naming `where`. */
export function parseLoadTestSetting(
  key: keyof LoadTestSettings,
  text: string,
  where: string,
): number | undefined {
  const value = loadTestSettingValue(key, text);
  if (Number.isNaN(value))
    throw new ModelshipError(
      `${where} is ${JSON.stringify(text)}; expected ${loadTestSettingRange(key)}.`,
    );
  return value;
}
