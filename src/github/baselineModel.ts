/**
 * The model a candidate is compared with, from what a user names: `production` (the newest
 * published release), `none`, a release tag, a release bundle directory or an ONNX file. A
 * release is scored through its own bundle's modelship.yml, so a candidate may change features.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { BaselineModel } from '../core/evaluation/evaluate.js';
import { bundleConfig, localBaseline } from '../core/release/localBaseline.js';
import { ModelshipError } from '../core/errors.js';
import {
  downloadReleaseModel,
  GitHubModelRegistry,
  type ModelRegistry,
  type ModelRelease,
} from './modelRegistry.js';
import { parseModelTag } from './modelTag.js';
import type { GitHubClient } from './octokit.js';

export interface BaselineLookup {
  /** The candidate's model.name: production is the newest release of it. */
  model: string;
  /** Relative paths are taken from it ('.' keeps them as given). */
  workingDirectory: string;
  /** The releases' repository and a client for it; undefined without GitHub access. */
  github: { octokit: GitHubClient; owner: string; repo: string } | undefined;
  /** Says what to pass instead when `production` or a tag is asked for without GitHub access. */
  withoutGitHub: (spec: string) => string;
  /** A modelship.yml for a bare ONNX baseline whose features differ from the candidate's. */
  configFile?: string;
}

/** The baseline `spec` names, or null for none and before the first release. */
export async function resolveBaseline(
  spec: string,
  lookup: BaselineLookup,
): Promise<BaselineModel | null> {
  if (spec === 'none') return null;
  const path = isAbsolute(spec) ? spec : join(lookup.workingDirectory, spec);
  const isRelease =
    spec === 'production' ||
    // A tag-like name is a path when such a file or directory exists.
    (parseModelTag(spec) !== undefined && !existsSync(path));
  if (!isRelease) return localBaseline(path, spec, lookup.configFile);
  if (lookup.configFile)
    throw new ModelshipError(
      `baseline ${spec} is a release, which brings its own modelship.yml: leave the baseline config out, or pass the release's downloaded model.onnx with it.`,
    );
  const { github } = lookup;
  if (!github) throw new ModelshipError(lookup.withoutGitHub(spec));
  const registry = new GitHubModelRegistry(github.octokit, github);
  let release: ModelRelease | undefined;
  if (spec === 'production') {
    release = await registry.production(lookup.model);
    if (!release) return null;
  } else {
    release = await registry.byTag(spec);
    if (!release)
      throw new ModelshipError(
        `baseline ${spec}: no release with that tag in ${github.owner}/${github.repo}.`,
      );
  }
  // RUNNER_TEMP is emptied by the runner after each job; elsewhere the system's temp directory.
  const scratch = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-baseline-'));
  const label = spec === 'production' ? `production ${release.tag}` : release.tag;
  return (await releaseBaseline(registry, release, scratch, label)).baseline;
}

/**
 * A release as the baseline: its model.onnx and modelship.yml downloaded into `dir`, verified
 * against SHA256SUMS. A release published without modelship.yml is read through the candidate's.
 */
export async function releaseBaseline(
  registry: ModelRegistry,
  release: ModelRelease,
  dir: string,
  label: string,
): Promise<{ baseline: BaselineModel; modelSha256: string }> {
  const files = await downloadReleaseModel(registry, release, dir);
  const baseline: BaselineModel = { path: files.model.path, label, tag: release.tag };
  if (files.config) baseline.config = bundleConfig(files.config.path, label);
  return { baseline, modelSha256: files.model.sha256 };
}
