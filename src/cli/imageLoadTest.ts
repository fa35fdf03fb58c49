/**
 * `modelship image load-test`: the deploy action's load test, against an image this machine runs
 * or a server already running. Exit 0 when serve.slo is met (or sets nothing), 1 when it is missed
 * or the image never got ready.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../core/config/modelshipConfig.js';
import type { ImageBuilder } from '../core/deploy/imageBuilder.js';
import { runLoadTest, type LoadTestResult } from '../core/deploy/loadTest.js';
import { loadTestImage } from '../core/deploy/loadTestImage.js';
import { describeLoadTestSettings, loadTestRows } from '../core/deploy/loadTestReport.js';
import {
  loadTestSettings,
  parseLoadTestSetting,
  sloOf,
  type LoadTestSettings,
  type Slo,
} from '../core/deploy/loadTestSettings.js';
import { checkSlo, describeSloMisses } from '../core/deploy/sloCheck.js';
import { readSmokeTestData, waitUntilReady } from '../core/deploy/smokeTest.js';
import { ModelshipError } from '../core/errors.js';
import { BUNDLE_FILES } from '../core/release/bundleFiles.js';

/** The command's own options, as commander gives them. */
export interface LoadTestFlags {
  bundle: string;
  duration?: string;
  concurrency?: string;
  rowsPerRequest?: string;
  p99Ms?: string;
  errorRate?: string;
}

export async function runLoadTestCommand(
  target: string,
  options: LoadTestFlags,
  image: { detect: () => Promise<ImageBuilder>; tlsVerify: boolean },
): Promise<number> {
  const isUrl = target.includes('://');
  if (isUrl && !isServerUrl(target))
    throw new ModelshipError(
      `image load-test: ${target} is not a server URL; pass http(s)://host:port, or an image as a local tag or <repository>@<digest>.`,
    );
  const overrides: Partial<LoadTestSettings> = {};
  const flags = [
    ['durationS', options.duration, '--duration'],
    ['concurrency', options.concurrency, '--concurrency'],
    ['rowsPerRequest', options.rowsPerRequest, '--rows-per-request'],
  ] as const;
  for (const [key, text, flag] of flags) {
    const value = text === undefined ? undefined : parseLoadTestSetting(key, text, flag);
    if (value !== undefined) overrides[key] = value;
  }
  const bundleConfig = join(options.bundle, BUNDLE_FILES.config);
  if (!existsSync(bundleConfig))
    throw new ModelshipError(
      `--bundle ${options.bundle}: no ${BUNDLE_FILES.config} there; pass a release bundle's directory (modelship package --out, or a downloaded release).`,
    );
  const serve = loadConfig(bundleConfig).config.serve;
  const settings = loadTestSettings(serve, overrides);
  const slo: Slo = { ...sloOf(serve) };
  if (options.p99Ms !== undefined) slo.p99Ms = sloOption('--p99-ms', options.p99Ms, Infinity);
  if (options.errorRate !== undefined)
    slo.errorRate = sloOption('--error-rate', options.errorRate, 1);

  let result: LoadTestResult;
  if (isUrl) {
    const { rows } = readSmokeTestData(join(options.bundle, BUNDLE_FILES.smokeTest));
    const url = target.replace(/\/+$/, '');
    const ready = await waitUntilReady(url, { readyTimeoutMs: 10_000 });
    if ('reason' in ready) {
      process.stdout.write(`load test of ${target} not run: ${ready.reason}\n`);
      return 1;
    }
    result = await runLoadTest({ url, rows, ...settings });
  } else {
    const run = await loadTestImage({
      builder: await image.detect(),
      image: target,
      bundle: options.bundle,
      settings,
      tlsVerify: image.tlsVerify,
    });
    if ('reason' in run) {
      process.stdout.write(
        `load test of ${target} not run: ${run.reason}\n${run.logs ? `container log:\n${run.logs}\n` : ''}`,
      );
      return 1;
    }
    result = run.result;
  }

  const hasSlo = slo.p99Ms !== undefined || slo.errorRate !== undefined;
  const misses = checkSlo(result, slo);
  const rows = loadTestRows(result, hasSlo ? slo : undefined, misses);
  const width = Math.max(...rows.map((r) => r.figure.length));
  const lines = rows.map(
    (r) =>
      `  ${r.figure.padEnd(width)}  ${r.measured}${r.limit ? `  (SLO ${r.limit}: ${r.met ? 'met' : 'missed'})` : ''}`,
  );
  const verdict = misses.length
    ? `missed its SLO: ${describeSloMisses(misses)}`
    : hasSlo
      ? 'met its SLO'
      : 'done (no SLO: set serve.slo in modelship.yml, or --p99-ms / --error-rate)';
  const first = result.firstError ? `  first failed request: ${result.firstError}\n` : '';
  process.stdout.write(
    `load test of ${target} (${describeLoadTestSettings(result)}) ${verdict}\n${lines.join('\n')}\n${first}`,
  );
  return misses.length ? 1 : 0;
}

/** An SLO flag: a number above 0 (p99) or from 0 to 1 (error rate). */
function sloOption(flag: string, text: string, max: number): number {
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  const ok = max === 1 ? value >= 0 && value <= 1 : value > 0;
  if (!ok)
    throw new ModelshipError(
      `${flag} "${text}": expected ${max === 1 ? 'a share from 0 to 1, e.g. 0.01' : 'milliseconds above 0, e.g. 250'}.`,
    );
  return value;
}

/** An http(s) URL with a host: what `image load-test` can send requests to. */
function isServerUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}
