/**
 * The serving image's life in one place, shared by the deploy action and `modelship image`:
 * build it from a bundle, and smoke-test a built image by running it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReleaseManifest } from '../release/bundle.js';
import { BUNDLE_FILES } from '../release/bundleFiles.js';
import { resolveServeTarget } from '../serve/serveTarget.js';
import { writeBuildContext } from './buildContext.js';
import { SERVING_PORT } from './containerfile.js';
import { versionTag } from './imageRef.js';
import type { ImageBuilder } from './imageBuilder.js';
import type { ServingRuntime } from './servingRuntime.js';
import { readSmokeTestData, runSmokeTest, type SmokeTestResult } from './smokeTest.js';

export interface BuildImageOptions {
  builder: ImageBuilder;
  bundle: string;
  /** The serving script and the natives it loads (findServingRuntime). */
  runtime: ServingRuntime;
  /** The repository, e.g. ghcr.io/owner/credit-risk; tagged with the bundle's version. */
  repository: string;
  baseImage?: string;
  source?: string;
  tlsVerify?: boolean;
  /** Where the build context goes (default: a temporary directory, removed afterwards). */
  workDir?: string;
}

export interface BuiltImage {
  /** `<repository>:<version>` in the local store. */
  ref: string;
  manifest: ReleaseManifest;
  labels: Record<string, string>;
}

/** Builds the image of a bundle and tags it `<repository>:<version>`. */
export async function buildServingImage(options: BuildImageOptions): Promise<BuiltImage> {
  const work = options.workDir ?? mkdtempSync(join(tmpdir(), 'modelship-image-'));
  try {
    const context = await writeBuildContext({
      bundle: options.bundle,
      runtime: options.runtime,
      out: join(work, 'context'),
      ...(options.baseImage ? { baseImage: options.baseImage } : {}),
      ...(options.source ? { source: options.source } : {}),
    });
    const ref = `${options.repository}:${versionTag(context.manifest.version)}`;
    await options.builder.build({
      context: context.dir,
      containerfile: context.containerfile,
      tags: [ref],
      ...(options.baseImage ? { baseImage: options.baseImage } : {}),
      ...(options.tlsVerify === false ? { tlsVerify: false } : {}),
    });
    return { ref, manifest: context.manifest, labels: context.labels };
  } finally {
    if (!options.workDir) rmSync(work, { recursive: true, force: true });
  }
}

export interface SmokeImageOptions {
  builder: ImageBuilder;
  /** The image to run: a local tag or `<repository>@<digest>`. */
  image: string;
  /** The bundle holding smoke-test.json. */
  bundle: string;
  tlsVerify?: boolean;
  readyTimeoutMs?: number;
}

/** Runs the image, smoke-tests it and removes the container, whatever happened. */
export async function smokeTestImage(
  options: SmokeImageOptions,
): Promise<SmokeTestResult & { logs: string }> {
  const data = readSmokeTestData(join(options.bundle, BUNDLE_FILES.smokeTest));
  const { builder } = options;
  const name = `modelship-smoke-${randomBytes(4).toString('hex')}`;
  try {
    const url = await builder.run({
      image: options.image,
      name,
      containerPort: SERVING_PORT,
      ...(options.tlsVerify === false ? { tlsVerify: false } : {}),
    });
    const result = await runSmokeTest({
      url,
      data,
      // The labels the image's /predict answers with, from the same config and contract.
      negativeLabel: resolveServeTarget(options.bundle).negativeLabel,
      ...(options.readyTimeoutMs ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
      stillRunning: () => builder.running(name),
    });
    return { ...result, logs: result.passed ? '' : await builder.logs(name) };
  } finally {
    await builder.remove(name);
  }
}
