import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import type { LoadedConfig } from '../../core/config/modelshipConfig.js';
import { isGlob } from '../../core/data/dataFormat.js';
import { ModelshipError } from '../../core/errors.js';
import { BUNDLE_FILES } from '../../core/release/bundleFiles.js';
import { parseModelVersion } from '../../core/release/modelVersion.js';
import type { GitHubClient } from '../../github/octokit.js';
import { ModelRegistry } from '../../github/releases/registry.js';
import { inDirectory } from '../commonInputs.js';
import { withHoldoutScores } from './holdoutScores.js';
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
  /** What stood in for something the release lacks, for the report's notes. */
  note?: string;
}

/**
 * `production` (what `environment` runs, see docs/releases.md), a release tag or
 * version of this model, or a path to data or profile.json. Release files are downloaded and
 * verified against SHA256SUMS: a mismatch fails the step.
 */
export async function resolveReference(
  spec: string,
  loaded: LoadedConfig,
  workingDirectory: string,
  github: { octokit: GitHubClient; context: RunContext } | undefined,
  /** The environment whose live deployment is production. */
  environment = 'production',
): Promise<ResolvedReference> {
  const name = loaded.config.model.name;
  const query = parseModelVersion(spec, {
    what: 'reference',
    accepts: ['production', 'tag', 'version', 'path'],
    model: name,
    exists: (text) => existsSync(inDirectory(workingDirectory, text)),
  });
  if (query.kind === 'path' || query.kind === 'none') {
    const path = inDirectory(workingDirectory, spec);
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
  const registry = new ModelRegistry({ octokit: github.octokit, owner, repo });
  const { release, reason, warning } = await registry.resolve(query, name, { environment });
  if (warning) core.warning(`reference ${spec}: ${warning}.`);
  if (!release) {
    throw new ModelshipError(
      query.kind === 'production'
        ? `reference production: ${name} has no published release in ${owner}/${repo} yet; publish one with publish-model, or set reference to a data file or profile.json.`
        : `reference ${spec}: ${reason}.`,
    );
  }
  const has = (file: string) => release.assets.some((a) => a.name === file);
  // The profile is required: without it there is nothing to compare with (download says so).
  const wanted = [
    BUNDLE_FILES.profile,
    BUNDLE_FILES.model,
    BUNDLE_FILES.metrics,
    BUNDLE_FILES.smokeTest,
  ].filter((file) => file === BUNDLE_FILES.profile || has(file));
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-reference-'));
  const files = new Map(
    (await registry.download(release, wanted, dir)).map((f) => [f.name, f.path]),
  );
  const modelPath = files.get(BUNDLE_FILES.model);
  const metricsPath = files.get(BUNDLE_FILES.metrics);
  const profilePath = files.get(BUNDLE_FILES.profile)!;
  const smokeTest = files.get(BUNDLE_FILES.smokeTest);
  const note = smokeTest ? withHoldoutScores(profilePath, smokeTest, loaded) : undefined;
  return {
    path: profilePath,
    label: query.kind === 'production' ? `production ${release.tag}` : release.tag,
    tag: release.tag,
    ...(modelPath ? { modelPath } : {}),
    ...(metricsPath ? { metricsPath } : {}),
    ...(note ? { note } : {}),
  };
}
