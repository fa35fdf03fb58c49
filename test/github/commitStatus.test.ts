import { describe, expect, it } from 'vitest';
import { gateStatusContext, setCommitStatus } from '../../src/github/commitStatus.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const sha = 'd'.repeat(40);
const context = gateStatusContext('credit-risk');

function setup(token?: (github: ReturnType<typeof fake>) => string) {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  const octokit = clientFor(github, token ? token(github) : github.actionsToken());
  return { github, repo, octokit };
}

describe('setCommitStatus', () => {
  it('names the context after the model', () => {
    expect(context).toBe('modelship/gate (credit-risk)');
  });

  it('creates, then replaces, the status of its context: one entry in the combined status', async () => {
    const { github, repo, octokit } = setup();
    const base = { owner: 'acme', repo: 'models', sha, context };
    const first = await setCommitStatus(octokit, {
      ...base,
      state: 'pending',
      description: 'Evaluating',
    });
    const second = await setCommitStatus(octokit, {
      ...base,
      state: 'success',
      description: 'Gate passed: roc_auc 0.83',
      targetUrl: 'https://github.com/acme/models/actions/runs/7',
    });
    await setCommitStatus(octokit, {
      owner: 'acme',
      repo: 'models',
      sha,
      context: gateStatusContext('fraud'),
      state: 'failure',
      description: 'Gate failed',
    });
    expect(first).toMatchObject({ skipped: false, action: 'created' });
    expect(second).toMatchObject({ skipped: false, action: 'created' });
    const { data } = await octokit.rest.repos.getCombinedStatusForRef({
      owner: 'acme',
      repo: 'models',
      ref: sha,
    });
    expect(data.state).toBe('failure');
    expect(data.statuses.map((s) => [s.context, s.state]).sort()).toEqual([
      ['modelship/gate (credit-risk)', 'success'],
      ['modelship/gate (fraud)', 'failure'],
    ]);
    expect(github.statusesOn(repo, sha)[1]?.targetUrl).toBe(
      'https://github.com/acme/models/actions/runs/7',
    );
  });

  it('writes nothing when the same status is set again', async () => {
    const { github, octokit } = setup();
    const input = {
      owner: 'acme',
      repo: 'models',
      sha,
      context,
      state: 'success' as const,
      description: 'Gate passed',
    };
    const first = await setCommitStatus(octokit, input);
    const again = await setCommitStatus(octokit, input);
    expect(again).toEqual({ ...first, action: 'unchanged' });
    expect(github.requestsTo('repos/create-commit-status')).toHaveLength(1);
  });

  it('keeps the link of an equal status when asked, and replaces it otherwise', async () => {
    const { github, repo, octokit } = setup();
    const input = {
      owner: 'acme',
      repo: 'models',
      sha,
      context,
      state: 'success' as const,
      description: 'Gate passed',
    };
    const comment = 'https://github.com/acme/models/pull/3#issuecomment-1';
    const run = 'https://github.com/acme/models/actions/runs/7';
    await setCommitStatus(octokit, { ...input, targetUrl: comment });
    const kept = await setCommitStatus(octokit, { ...input, targetUrl: run, keepTargetUrl: true });
    expect(kept).toMatchObject({ action: 'unchanged' });
    expect(github.statusesOn(repo, sha).map((s) => s.targetUrl)).toEqual([comment]);
    await setCommitStatus(octokit, { ...input, targetUrl: run });
    expect(github.statusesOn(repo, sha).map((s) => s.targetUrl)).toEqual([comment, run]);
  });

  it('trims the description to 140 characters', async () => {
    const { github, repo, octokit } = setup();
    await setCommitStatus(octokit, {
      owner: 'acme',
      repo: 'models',
      sha,
      context,
      state: 'failure',
      description: `Gate failed: ${'roc_auc regressed by 0.0162; '.repeat(10)}`,
    });
    const stored = github.statusesOn(repo, sha)[0]?.description ?? '';
    expect(stored).toHaveLength(140);
    expect(stored.endsWith('…')).toBe(true);
  });

  it('skips with a reason on a fork’s read-only token', async () => {
    const { github, repo, octokit } = setup((g) => g.actionsToken({ readOnly: true }));
    const result = await setCommitStatus(octokit, {
      owner: 'acme',
      repo: 'models',
      sha,
      context,
      state: 'success',
      description: 'Gate passed',
    });
    expect(result).toEqual({
      skipped: true,
      reason: expect.stringMatching(
        /POST \/repos\/acme\/models\/statuses\/d+ \(403 .*`statuses: write`/,
      ),
    });
    expect(github.statusesOn(repo, sha)).toHaveLength(0);
  });

  it('skips with a reason when `permissions:` leaves out statuses: write', async () => {
    const { octokit } = setup((g) => g.actionsToken({ writes: ['pull-requests', 'issues'] }));
    const result = await setCommitStatus(octokit, {
      owner: 'acme',
      repo: 'models',
      sha,
      context,
      state: 'success',
      description: 'Gate passed',
    });
    expect(result).toMatchObject({ skipped: true });
  });

  it('retries a secondary rate limit on the write', async () => {
    const { github, repo, octokit } = setup();
    github.failNext('repos/create-commit-status', { kind: 'secondary-rate-limit', retryAfter: 1 });
    const result = await setCommitStatus(octokit, {
      owner: 'acme',
      repo: 'models',
      sha,
      context,
      state: 'success',
      description: 'Gate passed',
    });
    expect(result).toMatchObject({ skipped: false, action: 'created' });
    expect(github.statusesOn(repo, sha)).toHaveLength(1);
  });
});
