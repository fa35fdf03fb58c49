/**
 * The model a candidate is compared with, from what a user names: `production`, a release tag or
 * version, a release bundle directory, an ONNX file, or `none`. A release is scored through its
 * own bundle's modelship.yml, so a candidate may change features.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { BaselineModel } from '../../core/evaluation/evaluate.js';
import { ModelshipError } from '../../core/errors.js';
import { BUNDLE_FILES } from '../../core/release/bundleFiles.js';
import { bundleConfig, localBaseline } from '../../core/release/localBaseline.js';
import { parseModelVersion } from '../../core/release/modelVersion.js';
import type { ModelRelease, ReleaseRepository } from './apiRelease.js';
import { ModelRegistry } from './registry.js';

export interface BaselineLookup {
  /** The candidate's model.name: a release of another model is refused. */
  model: string;
  /** How the caller names the setting in errors: `baseline` (the input), `--baseline`. */
  what: string;
  /** Relative paths are taken from it ('.' keeps them as given). */
  workingDirectory: string;
  /** The releases' repository and a client for it; undefined without GitHub access. */
  github: ReleaseRepository | undefined;
  /** Says what to pass instead when a release is asked for without GitHub access. */
  withoutGitHub: (spec: string) => string;
  /** A modelship.yml for a bare ONNX baseline whose features differ from the candidate's. */
  configFile?: string;
  /** Where a warning goes (the step's log, the terminal). */
  warn: (message: string) => void;
}

/** The baseline `spec` names, or null for none and before the first release. */
export async function resolveBaseline(
  spec: string,
  lookup: BaselineLookup,
): Promise<BaselineModel | null> {
  const pathOf = (text: string) => (isAbsolute(text) ? text : join(lookup.workingDirectory, text));
  const query = parseModelVersion(spec, {
    what: lookup.what,
    accepts: ['production', 'tag', 'version', 'path', 'none'],
    model: lookup.model,
    exists: (text) => existsSync(pathOf(text)),
  });
  if (query.kind === 'none') return null;
  if (query.kind === 'path') return localBaseline(pathOf(query.path), spec, lookup.configFile);
  if (lookup.configFile)
    throw new ModelshipError(
      `${lookup.what} ${spec} is a release, which brings its own modelship.yml: leave the baseline config out, or pass the release's downloaded model.onnx with it.`,
    );
  if (!lookup.github) throw new ModelshipError(lookup.withoutGitHub(spec));
  const registry = new ModelRegistry(lookup.github);
  const found = await registry.resolve(query, lookup.model);
  if (found.warning) lookup.warn(`${lookup.what} ${spec}: ${found.warning}.`);
  if (!found.release) {
    // Before the first release there is nothing to compare with; a named version must exist.
    if (query.kind === 'production') return null;
    throw new ModelshipError(`${lookup.what} ${spec}: ${found.reason}.`);
  }
  // RUNNER_TEMP is emptied by the runner after each job; elsewhere the system's temp directory.
  const scratch = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-baseline-'));
  const label = query.kind === 'production' ? `production ${found.release.tag}` : found.release.tag;
  return (await releaseBaseline(registry, found.release, scratch, label)).baseline;
}

/**
 * A release as the baseline: its model.onnx and modelship.yml (and the `also` files it has)
 * downloaded into `dir`, verified against SHA256SUMS. A release published without modelship.yml
 * is read through the candidate's.
 */
export async function releaseBaseline(
  registry: ModelRegistry,
  release: ModelRelease,
  dir: string,
  label: string,
  also: readonly string[] = [],
): Promise<{ baseline: BaselineModel; modelSha256: string; files: Map<string, string> }> {
  const present = [BUNDLE_FILES.config, ...also].filter((name) =>
    release.assets.some((a) => a.name === name),
  );
  const downloaded = await registry.download(release, [BUNDLE_FILES.model, ...present], dir);
  const files = new Map(downloaded.map((f) => [f.name, f.path]));
  const model = downloaded.find((f) => f.name === BUNDLE_FILES.model)!;
  const baseline: BaselineModel = { path: model.path, label, tag: release.tag };
  const config = files.get(BUNDLE_FILES.config);
  if (config) baseline.config = bundleConfig(config, label);
  return { baseline, modelSha256: model.sha256, files };
}
