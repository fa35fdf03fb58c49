import * as core from '@actions/core';
import type { GateResult } from '../core/evaluation/evaluationReport.js';
import { createOrUpdateCheckRun } from '../github/checkRun.js';
import { gateStatusContext, setCommitStatus } from '../github/commitStatus.js';
import type { GitHubClient } from '../github/octokit.js';
import type { RunContext } from './runContext.js';

/** Publishes the gate on the commit: a status branch protection can require, and a check run. */
export async function publishGate(
  octokit: GitHubClient,
  context: RunContext,
  options: {
    model: string;
    sha: string;
    gate: GateResult;
    summary: string;
    detailsUrl: string;
    /** See CommitStatusOptions.keepTargetUrl. */
    keepTargetUrl?: boolean;
  },
): Promise<string[]> {
  const { model, sha, gate } = options;
  const failed = gate.checks.filter((c) => !c.passed);
  const description = gate.passed
    ? `Gate passed: ${gate.checks.length} checks`
    : `Gate failed: ${failed.map((c) => c.message).join('; ')}`;
  const notes: string[] = [];
  const status = await setCommitStatus(octokit, {
    owner: context.owner,
    repo: context.repo,
    sha,
    context: gateStatusContext(model),
    state: gate.passed ? 'success' : 'failure',
    description,
    targetUrl: options.detailsUrl,
    ...(options.keepTargetUrl ? { keepTargetUrl: true } : {}),
  });
  if (status.skipped) notes.push(`The commit status was not set: ${status.reason}`);
  const check = await createOrUpdateCheckRun(octokit, {
    owner: context.owner,
    repo: context.repo,
    headSha: sha,
    name: `Modelship gate (${model})`,
    conclusion: gate.passed ? 'success' : 'failure',
    title: description.slice(0, 120),
    summary: options.summary,
    detailsUrl: options.detailsUrl,
  });
  if (check.skipped) notes.push(`The check run was not created: ${check.reason}`);
  for (const note of notes) core.warning(note);
  return notes;
}
