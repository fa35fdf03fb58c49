import * as core from '@actions/core';
import { updateAggregateStatus } from '../github/aggregateStatus.js';
import type { GitHubClient } from '../github/octokit.js';
import type { RunContext } from './runContext.js';

/** Updates `modelship/gate` on `sha` over `models`; returns a note when it could not be written. */
export async function publishAggregateGate(
  octokit: GitHubClient,
  context: RunContext,
  options: { sha: string; models: string[]; final?: boolean },
): Promise<string[]> {
  const result = await updateAggregateStatus(octokit, {
    owner: context.owner,
    repo: context.repo,
    sha: options.sha,
    models: options.models,
    final: options.final,
    targetUrl: context.runUrl,
  });
  if (result.skipped) {
    const note = `The aggregate status modelship/gate was not set: ${result.reason}`;
    core.warning(note);
    return [note];
  }
  core.info(`modelship/gate: ${result.state}, ${result.description}.`);
  return [];
}
