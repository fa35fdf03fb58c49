import * as core from '@actions/core';
import type { ReleaseMetrics } from '../../core/evaluation/evaluationReport.js';
import { messageOf } from '../../core/errors.js';
import { GitHubModelRegistry } from '../../github/modelRegistry.js';
import type { GitHubClient } from '../../github/octokit.js';
import { releaseHistory } from '../../github/releaseHistory.js';

/**
 * The last production releases' metrics for the report's history charts. The charts only
 * illustrate: a registry that cannot be read leaves them out with a warning, never fails the step.
 */
export async function fetchHistory(
  github: { octokit: GitHubClient; owner: string; repo: string },
  model: string,
): Promise<ReleaseMetrics[]> {
  try {
    return await releaseHistory(new GitHubModelRegistry(github.octokit, github), model);
  } catch (error) {
    core.warning(
      `The report's history of ${model} was left out: its releases' metrics.json could not be read (${messageOf(error)}).`,
    );
    return [];
  }
}
