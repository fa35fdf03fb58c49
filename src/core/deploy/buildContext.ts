/**
 * The build context of a serving image: the generated Containerfile, the serving runtime
 * (dist/serve: the ncc bundle with its onnxruntime binding) and the release bundle's files.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelshipError } from '../errors.js';
import type { ReleaseManifest } from '../release/bundle.js';
import { readReleaseManifest } from './releaseManifest.js';
import { CONTEXT_MODEL, CONTEXT_RUNTIME, renderContainerfile } from './containerfile.js';
import { ociLabels } from './ociLabels.js';

export interface BuildContextOptions {
  /** A release bundle directory (modelship package --out, or a downloaded release). */
  bundle: string;
  /** dist/serve of a Modelship build. */
  runtime: string;
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
  cpSync(options.runtime, join(options.out, CONTEXT_RUNTIME), { recursive: true });
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

function checkRuntime(runtime: string): void {
  if (!existsSync(join(runtime, 'index.js')) || !existsSync(join(runtime, 'onnxruntime')))
    throw new ModelshipError(
      `${runtime}: not the serving runtime (index.js with its onnxruntime folder); build it with npm run bundle, which writes dist/serve.`,
    );
}
