/**
 * The build context of a serving image: the generated Containerfile, the serving runtime
 * assembled in runtime/ (the script of scripts/build-serve.mjs, with onnxruntime's linux binaries
 * in runtime/onnxruntime/, where the script loads them) and the release bundle's files.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ModelshipError } from '../errors.js';
import type { ReleaseManifest } from '../release/bundle.js';
import { readReleaseManifest } from './releaseManifest.js';
import { CONTEXT_MODEL, CONTEXT_RUNTIME, renderContainerfile } from './containerfile.js';
import { ociLabels } from './ociLabels.js';
import type { ServingRuntime } from './servingRuntime.js';

export interface BuildContextOptions {
  /** A release bundle directory (modelship package --out, or a downloaded release). */
  bundle: string;
  /** The serving script and its natives (findServingRuntime). */
  runtime: ServingRuntime;
  /** The directory to fill (created; should be empty). */
  out: string;
  baseImage?: string;
  /** The repository URL for org.opencontainers.image.source. */
  source?: string;
}

export interface BuildContext {
  dir: string;
  containerfile: string;
  manifest: ReleaseManifest;
  labels: Record<string, string>;
}

/** Writes the build context of a bundle whose files match its manifest (readReleaseManifest). */
export async function writeBuildContext(options: BuildContextOptions): Promise<BuildContext> {
  const manifest = await readReleaseManifest(options.bundle);
  checkRuntime(options.runtime);
  const labels = ociLabels({
    manifest,
    ...(options.source ? { source: options.source } : {}),
    ...(options.baseImage ? { baseImage: options.baseImage } : {}),
  });
  mkdirSync(options.out, { recursive: true });
  const runtime = join(options.out, CONTEXT_RUNTIME);
  // The script's folder without any onnxruntime/ of its own: the natives chosen replace it.
  const ownNatives = resolve(options.runtime.script, 'onnxruntime');
  cpSync(options.runtime.script, runtime, {
    recursive: true,
    filter: (path) => resolve(path) !== ownNatives,
  });
  cpSync(options.runtime.natives, join(runtime, 'onnxruntime'), { recursive: true });
  const model = join(options.out, CONTEXT_MODEL);
  mkdirSync(model);
  // The bundle's plain files only: a downloaded release may sit beside other things.
  for (const name of readdirSync(options.bundle)) {
    const path = join(options.bundle, name);
    if (statSync(path).isFile() && !name.startsWith('.')) cpSync(path, join(model, name));
  }
  const containerfile = join(options.out, 'Containerfile');
  writeFileSync(
    containerfile,
    renderContainerfile({ labels, ...(options.baseImage ? { baseImage: options.baseImage } : {}) }),
  );
  writeFileSync(join(options.out, '.dockerignore'), '');
  return { dir: options.out, containerfile, manifest, labels };
}

function checkRuntime(runtime: ServingRuntime): void {
  if (!existsSync(join(runtime.script, 'index.js')))
    throw new ModelshipError(
      `${runtime.script} has no index.js, so it is not a serving runtime; build one with npm run build:serve (dist/serve) or node scripts/build-serve.mjs <dir>.`,
    );
  if (!existsSync(join(runtime.natives, 'onnxruntime_binding.node')))
    throw new ModelshipError(
      `${runtime.natives} has no onnxruntime_binding.node; pass onnxruntime-node's bin/napi-v6/linux/<arch> folder (or a copy of it) as the natives.`,
    );
}
