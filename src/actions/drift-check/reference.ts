import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import { isGlob } from '../../core/data/dataFormat.js';
import { ModelshipError } from '../../core/errors.js';
import { BUNDLE_FILES } from '../../core/release/bundle.js';
import { GitHubModelRegistry, type ModelRelease } from '../../github/modelRegistry.js';
import { parseModelTag } from '../../github/modelTag.js';
import type { GitHubClient } from '../../github/octokit.js';
import { inDirectory } from '../commonInputs.js';
import type { RunContext } from '../runContext.js';

/** What current data is compared with, and the model and metrics that go with it. */
export interface ResolvedReference {
  /** Reference data (file or glob) or a profile.json. */
  path: string;
  /** How the report names it, e.g. `production credit-risk-v1.2.0`. */
  label: string;
  /** The release it came from, if any. */
  tag?: string;
  /** The model whose score distribution is compared (prediction drift). */
  modelPath?: string;
  /** The release's metrics.json: performance now against then. */
  metricsPath?: string;
}

/**
 * `production` (the newest published release), a release tag, or a path to data or profile.json.
 * Release files are downloaded and verified against SHA256SUMS: a mismatch fails the step.
 */
export async function resolveReference(
  spec: string,
  loaded: LoadedConfig,
  workingDirectory: string,
  github: { octokit: GitHubClient; context: RunContext } | undefined,
): Promise<ResolvedReference> {
  const name = loaded.config.model.name;
  const path = inDirectory(workingDirectory, spec);
  const isTag = parseModelTag(spec) !== undefined && !existsSync(path);
  if (spec !== 'production' && !isTag) {
    if (!existsSync(path) && !isGlob(spec)) {
      throw new ModelshipError(
        `reference ${spec}: no such file, and not "production" or a release tag <name>-v<semver>.`,
      );
    }
    const model = loaded.resolve(loaded.config.model.path);
    return { path, label: spec, ...(existsSync(model) ? { modelPath: model } : {}) };
  }
  if (!github) {
    throw new ModelshipError(
      `reference ${spec} needs the GitHub API (GITHUB_REPOSITORY and github-token); pass reference data or a profile.json when running elsewhere.`,
    );
  }
  const { owner, repo } = github.context;
  const registry = new GitHubModelRegistry(github.octokit, { owner, repo });
  const release: ModelRelease | undefined =
    spec === 'production' ? await registry.production(name) : await registry.byTag(spec);
  if (!release) {
    throw new ModelshipError(
      spec === 'production'
        ? `reference production: ${name} has no published release in ${owner}/${repo} yet; publish one with publish-model, or set reference to a data file or profile.json.`
        : `reference ${spec}: no release with that tag in ${owner}/${repo}.`,
    );
  }
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-reference-'));
  const fetch = async (file: string) =>
    (await registry.downloadVerified(release, file, join(dir, file))).path;
  const has = (file: string) => release.assets.some((a) => a.name === file);
  return {
    // Required: without the profile there is nothing to compare with (downloadVerified says so).
    path: await fetch(BUNDLE_FILES.profile),
    label: spec === 'production' ? `production ${release.tag}` : release.tag,
    tag: release.tag,
    ...(has(BUNDLE_FILES.model) ? { modelPath: await fetch(BUNDLE_FILES.model) } : {}),
    ...(has(BUNDLE_FILES.metrics) ? { metricsPath: await fetch(BUNDLE_FILES.metrics) } : {}),
  };
}
