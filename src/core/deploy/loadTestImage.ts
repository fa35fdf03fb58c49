/**
 * The load test of a serving image, shared by the deploy action and `modelship image load-test`:
 * run the image, wait until it is ready, drive it with the bundle's holdout rows, and remove the
 * container whatever happened.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BUNDLE_FILES } from '../release/bundleFiles.js';
import { SERVING_PORT } from './containerfile.js';
import type { ImageBuilder } from './imageBuilder.js';
import { runLoadTest, type LoadTestResult } from './loadTest.js';
import type { LoadTestSettings } from './loadTestSettings.js';
import { readSmokeTestData, waitUntilReady } from './smokeTest.js';

export interface LoadTestImageOptions {
  builder: ImageBuilder;
  /** The image to run: a local tag or `<repository>@<digest>`. */
  image: string;
  /** The bundle whose smoke-test.json rows are sent. */
  bundle: string;
  settings: LoadTestSettings;
  tlsVerify?: boolean;
  readyTimeoutMs?: number;
}

/** The figures, or why the image never got to carry load (with its container log). */
export type ImageLoadTest =
  { result: LoadTestResult; readyAfterMs: number } | { reason: string; logs: string };

export async function loadTestImage(options: LoadTestImageOptions): Promise<ImageLoadTest> {
  const { rows } = readSmokeTestData(join(options.bundle, BUNDLE_FILES.smokeTest));
  const { builder } = options;
  const name = `modelship-load-${randomBytes(4).toString('hex')}`;
  try {
    const url = await builder.run({
      image: options.image,
      name,
      containerPort: SERVING_PORT,
      ...(options.tlsVerify === false ? { tlsVerify: false } : {}),
    });
    const ready = await waitUntilReady(url, {
      ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
      stillRunning: () => builder.running(name),
    });
    if ('reason' in ready) return { reason: ready.reason, logs: await builder.logs(name) };
    const result = await runLoadTest({ url, rows, ...options.settings });
    return { result, readyAfterMs: ready.readyAfterMs };
  } finally {
    await builder.remove(name);
  }
}
