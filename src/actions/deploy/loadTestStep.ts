/**
 * deploy's load test, between the smoke test and the tag move: its inputs, where its settings and
 * SLO come from, and the refusal when the SLO is missed.
 */
import { join } from 'node:path';
import * as core from '@actions/core';
import { z } from 'zod';
import { loadConfig, type LoadedConfig } from '../../core/config/modelshipConfig.js';
import type { ServeConfig } from '../../core/config/serveConfig.js';
import type { ImageBuilder } from '../../core/deploy/imageBuilder.js';
import { loadTestImage } from '../../core/deploy/loadTestImage.js';
import type { LoadTestResult } from '../../core/deploy/loadTest.js';
import {
  loadTestSettings,
  loadTestSettingRange,
  loadTestSettingValue,
  sloOf,
  type LoadTestSettings,
} from '../../core/deploy/loadTestSettings.js';
import { checkSlo, describeSloMisses } from '../../core/deploy/sloCheck.js';
import { ModelshipError } from '../../core/errors.js';
import { BUNDLE_FILES } from '../../core/release/bundleFiles.js';
import { flagInput } from '../inputs/readInputs.js';
import type { DeployOutcome } from './summary.js';

/** An input overriding one serve.load_test setting; empty keeps modelship.yml's. */
const settingInput = (key: keyof LoadTestSettings) =>
  z
    .string()
    .check((ctx) => {
      if (Number.isNaN(loadTestSettingValue(key, ctx.value)))
        ctx.issues.push({ code: 'custom', message: loadTestSettingRange(key), input: ctx.value });
    })
    .transform((v) => loadTestSettingValue(key, v));

/** The load-test inputs of deploy's action.yml, for its input schema. */
export const loadTestInputs = {
  'load-test': flagInput(true),
  'load-test-duration': settingInput('durationS'),
  'load-test-concurrency': settingInput('concurrency'),
  'load-test-rows-per-request': settingInput('rowsPerRequest'),
};

type LoadTestInputs = z.output<z.ZodObject<typeof loadTestInputs>>;

/** The inputs as the step takes them: whether to run, and the settings they override. */
export function readLoadTestInputs(raw: LoadTestInputs): {
  loadTest: boolean;
  loadTestOverrides: Partial<LoadTestSettings>;
} {
  const overrides: Partial<LoadTestSettings> = {};
  const set = (key: keyof LoadTestSettings, value: number | undefined) => {
    if (value !== undefined) overrides[key] = value;
  };
  set('durationS', raw['load-test-duration']);
  set('concurrency', raw['load-test-concurrency']);
  set('rowsPerRequest', raw['load-test-rows-per-request']);
  return { loadTest: raw['load-test'], loadTestOverrides: overrides };
}

export interface LoadTestPlan {
  settings: LoadTestSettings;
  slo: ReturnType<typeof sloOf>;
  /** Which modelship.yml the serve section came from, for the step's log. */
  source: string;
}

/**
 * The settings and SLO: serve of the checkout's modelship.yml when it is the deployed model's,
 * else of the bundle's own. Undefined when the load test is off; off with an SLO is refused.
 */
export function planLoadTest(options: {
  run: boolean;
  overrides: Partial<LoadTestSettings>;
  model: string;
  loaded: LoadedConfig | undefined;
  bundle: string;
}): LoadTestPlan | undefined {
  const own = options.loaded?.config.model.name === options.model ? options.loaded : undefined;
  const loaded = own ?? loadConfig(join(options.bundle, BUNDLE_FILES.config));
  const serve: ServeConfig = loaded.config.serve;
  const slo = sloOf(serve);
  if (!options.run) {
    if (slo)
      throw new ModelshipError(
        `load-test is false, but ${own ? loaded.file : `the release's ${BUNDLE_FILES.config}`} sets serve.slo, which only a load test can check; set load-test to true, or remove serve.slo.`,
      );
    return undefined;
  }
  return {
    settings: loadTestSettings(serve, options.overrides),
    slo,
    source: own ? loaded.file : `the release's ${BUNDLE_FILES.config}`,
  };
}

/**
 * Runs the load test on the pushed image and records it in the outcome; throws, leaving the
 * environment as it was, when the image never got ready or the SLO is missed.
 */
export async function runLoadTestStep(options: {
  plan: LoadTestPlan;
  builder: ImageBuilder;
  image: string;
  subject: string;
  bundle: string;
  environment: string;
  tlsVerify: boolean;
  outcome: DeployOutcome;
}): Promise<LoadTestResult> {
  const { plan, outcome } = options;
  core.info(`Load test settings and SLO from ${plan.source}.`);
  const run = await loadTestImage({
    builder: options.builder,
    image: options.image,
    bundle: options.bundle,
    settings: plan.settings,
    tlsVerify: options.tlsVerify,
  });
  const left = `so ${options.environment} was left as it was`;
  if ('reason' in run) {
    outcome.loadTest = { misses: [], reason: run.reason, logs: run.logs };
    if (run.logs) core.info(`Container log:\n${run.logs}`);
    throw new ModelshipError(
      `The load test of ${options.subject} could not start, ${left}: ${run.reason}`,
    );
  }
  const misses = plan.slo ? checkSlo(run.result, plan.slo) : [];
  outcome.loadTest = { result: run.result, slo: plan.slo, misses };
  if (misses.length > 0)
    throw new ModelshipError(
      `The load test of ${options.subject} missed its SLO, ${left}: ${describeSloMisses(misses)}`,
    );
  return run.result;
}

/** The load test's figures for the deployment's payload (snake_case, like GitHub's fields). */
export function loadTestPayload(result: LoadTestResult, slo: LoadTestPlan['slo']) {
  const round = (n: number, digits = 3) => Number(n.toFixed(digits));
  return {
    settings: {
      duration_s: result.settings.durationS,
      concurrency: result.settings.concurrency,
      rows_per_request: result.settings.rowsPerRequest,
    },
    elapsed_s: round(result.elapsedS),
    requests: result.requests,
    answered: result.answered,
    failed: result.failed,
    errors: result.errors,
    error_rate: round(result.errorRate, 6),
    requests_per_second: round(result.requestsPerSecond),
    rows_per_second: round(result.rowsPerSecond),
    ...(result.latencyMs
      ? {
          latency_ms: {
            p50: round(result.latencyMs.p50),
            p95: round(result.latencyMs.p95),
            p99: round(result.latencyMs.p99),
            max: round(result.latencyMs.max),
          },
        }
      : {}),
    ...(slo
      ? {
          slo: {
            ...(slo.p99Ms !== undefined ? { p99_ms: slo.p99Ms } : {}),
            ...(slo.errorRate !== undefined ? { error_rate: slo.errorRate } : {}),
          },
        }
      : {}),
  };
}
