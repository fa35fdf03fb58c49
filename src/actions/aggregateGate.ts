import * as core from '@actions/core';
import { ModelshipError } from '../core/errors.js';
import { updateAggregateStatus } from '../github/aggregateStatus.js';
import type { GitHubClient } from '../github/octokit.js';
import type { RunContext } from './runContext.js';

/**
 * The `models` input: the models a change affects, as the affected step's `models` output (a
 * JSON list) or names separated by commas, spaces or lines. Empty: undefined.
 */
export function readModelsInput(name = 'models'): string[] | undefined {
  const value = core.getInput(name).trim();
  if (value === '') return undefined;
  if (value.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || !parsed.every((m) => typeof m === 'string'))
      throw new ModelshipError(
        `input ${name} is not a JSON list of model names; pass the affected step's models output or names separated by commas.`,
      );
    return parsed;
  }
  return value.split(/[\s,]+/).filter(Boolean);
}

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
