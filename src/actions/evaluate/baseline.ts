import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelshipError } from '../../core/errors.js';
import { GitHubModelRegistry, type ModelRelease } from '../../github/modelRegistry.js';
import { parseModelTag } from '../../github/modelTag.js';
import type { GitHubClient } from '../../github/octokit.js';
import { inDirectory } from '../commonInputs.js';
import type { RunContext } from '../runContext.js';

export interface ResolvedBaseline {
  path: string;
  label: string;
  tag?: string;
}

/**
 * The model the candidate is compared with: `production` (newest published release), `none`, a
 * release tag, or a path. Registry models are downloaded and verified against SHA256SUMS; a
 * mismatch is an error, never a silent fallback. Undefined when there is no production model yet.
 */
export async function resolveBaseline(
  spec: string,
  model: string,
  workingDirectory: string,
  github: { octokit: GitHubClient; context: RunContext } | undefined,
): Promise<ResolvedBaseline | null> {
  if (spec === 'none') return null;
  const isTag =
    parseModelTag(spec) !== undefined && !existsSync(inDirectory(workingDirectory, spec));
  if (spec !== 'production' && !isTag) {
    const path = inDirectory(workingDirectory, spec);
    if (!existsSync(path))
      throw new ModelshipError(
        `baseline ${spec}: no such file, and not "production", "none" or a release tag <name>-v<semver>.`,
      );
    return { path, label: spec };
  }
  if (!github) {
    throw new ModelshipError(
      `baseline ${spec} needs the GitHub API (GITHUB_REPOSITORY and github-token); pass a model path or none when running elsewhere.`,
    );
  }
  const registry = new GitHubModelRegistry(github.octokit, {
    owner: github.context.owner,
    repo: github.context.repo,
  });
  let release: ModelRelease | undefined;
  if (spec === 'production') {
    release = await registry.production(model);
    if (!release) return null;
  } else {
    release = await registry.byTag(spec);
    if (!release)
      throw new ModelshipError(
        `baseline ${spec}: no release with that tag in ${github.context.owner}/${github.context.repo}.`,
      );
  }
  // RUNNER_TEMP is emptied by the runner after each job; elsewhere the system's temp directory.
  const scratch = mkdtempSync(join(process.env.RUNNER_TEMP ?? tmpdir(), 'modelship-baseline-'));
  const dest = join(scratch, 'model.onnx');
  await registry.downloadVerified(release, 'model.onnx', dest);
  return {
    path: dest,
    label: spec === 'production' ? `production ${release.tag}` : release.tag,
    tag: release.tag,
  };
}
