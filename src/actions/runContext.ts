import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { createOctokit, type GitHubClient } from '../github/octokit.js';
import { ModelshipError, messageOf } from '../core/errors.js';

/** What the runner tells a step about the workflow run (GITHUB_* variables and the event). */
export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  payload: unknown;
  /** The commit the run checked out (a merge commit for pull_request). */
  sha: string;
  apiUrl: string;
  runUrl: string;
}

/** The run context, or undefined outside GitHub Actions (e.g. a local run of the action). */
export function readRunContext(): RunContext | undefined {
  const repository = process.env.GITHUB_REPOSITORY;
  if (!repository) return undefined;
  const [owner, repo] = repository.split('/');
  if (!owner || !repo)
    throw new ModelshipError(`GITHUB_REPOSITORY "${repository}" is not owner/name.`);
  const eventPath = process.env.GITHUB_EVENT_PATH;
  let payload: unknown = {};
  if (eventPath) {
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8'));
    } catch (error) {
      throw new ModelshipError(
        `GITHUB_EVENT_PATH ${eventPath}: cannot read the event payload (${messageOf(error)}).`,
      );
    }
  }
  const server = process.env.GITHUB_SERVER_URL ?? 'https://github.com';
  return {
    owner,
    repo,
    eventName: process.env.GITHUB_EVENT_NAME ?? '',
    payload,
    sha: process.env.GITHUB_SHA ?? '',
    apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
    runUrl: `${server}/${repository}/actions/runs/${process.env.GITHUB_RUN_ID ?? ''}`,
  };
}

/**
 * Octokit for a step: retries and throttling on, rate-limit waits surfaced as warnings.
 * MODELSHIP_GITHUB_PACE_WRITES=false drops the pause between writes that GitHub asks of
 * integrators (for a local API fake or a GHES without secondary limits).
 */
export function createStepOctokit(token: string, context: RunContext): GitHubClient {
  const fast = process.env.MODELSHIP_GITHUB_PACE_WRITES === 'false';
  return createOctokit({
    token,
    baseUrl: context.apiUrl,
    ...(fast ? { paceWrites: false, retryAfterBaseMs: 1 } : {}),
    onRateLimit: (event) =>
      core.warning(
        `GitHub rate limit on ${event.method} ${event.url}: ${event.willRetry ? `retrying in ${event.retryAfterSeconds} s` : 'giving up'}.`,
      ),
  });
}

/** Events whose runs from a fork's pull request get a read-only token. */
const READ_ONLY_FORK_EVENTS = new Set([
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
]);

/**
 * Whether this run's token is a fork's read-only one: a fork pull request seen from a
 * `pull_request` run. The `workflow_run` companion (and `pull_request_target`, `push`) hold the
 * base repository's token, so they comment and set statuses even for a fork's pull request.
 */
export function readOnlyForkRun(context: RunContext, pr: { fork: boolean } | undefined): boolean {
  return pr?.fork === true && READ_ONLY_FORK_EVENTS.has(context.eventName);
}
