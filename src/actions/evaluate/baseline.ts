import * as core from '@actions/core';
import type { BaselineModel } from '../../core/evaluation/evaluate.js';
import type { GitHubClient } from '../../github/octokit.js';
import { resolveBaseline } from '../../github/releases/baseline.js';
import type { RunContext } from '../runContext.js';
import type { EvaluateInputs } from './inputs.js';

/** The `baseline` input's model: production, a release, a bundle or ONNX file, or none. */
export function actionBaseline(
  inputs: EvaluateInputs,
  github: { octokit: GitHubClient; context: RunContext } | undefined,
): Promise<BaselineModel | null> {
  return resolveBaseline(inputs.baseline, {
    model: inputs.loaded.config.model.name,
    what: 'baseline',
    workingDirectory: inputs.workingDirectory,
    github: github && {
      octokit: github.octokit,
      owner: github.context.owner,
      repo: github.context.repo,
    },
    configFile: inputs.baselineConfig,
    withoutGitHub: (spec) =>
      `baseline ${spec} needs the GitHub API (GITHUB_REPOSITORY and github-token); pass a release bundle directory, an ONNX model path or none when running elsewhere.`,
    warn: (message) => core.warning(message),
  });
}
