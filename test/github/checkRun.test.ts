import { describe, expect, it } from 'vitest';
import { createOrUpdateCheckRun } from '../../src/github/checkRun.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const headSha = 'e'.repeat(40);
const base = { owner: 'acme', repo: 'models', headSha };

function setup(token?: (github: ReturnType<typeof fake>) => string) {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  const octokit = clientFor(github, token ? token(github) : github.actionsToken());
  return { github, repo, octokit };
}

describe('createOrUpdateCheckRun', () => {
  it('creates the check run, then updates the same one', async () => {
    const { github, repo, octokit } = setup();
    const name = 'modelship/gate (credit-risk)';
    const first = await createOrUpdateCheckRun(octokit, {
      ...base,
      name,
      title: 'Evaluating',
      summary: 'Running the evaluation',
    });
    const second = await createOrUpdateCheckRun(octokit, {
      ...base,
      name,
      conclusion: 'failure',
      title: 'Gate failed',
      summary: '| metric | value |\n|---|---|\n| roc_auc | 0.71 |',
      text: 'details',
    });
    const third = await createOrUpdateCheckRun(octokit, {
      ...base,
      name,
      conclusion: 'success',
      title: 'Gate passed',
      summary: 'all checks passed',
    });
    expect([first, second, third].map((r) => ('action' in r ? r.action : 'skipped'))).toEqual([
      'created',
      'updated',
      'updated',
    ]);
    const runs = github.checkRunsOn(repo, headSha);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'completed',
      conclusion: 'success',
      output: { title: 'Gate passed', summary: 'all checks passed', text: 'details' },
    });
    expect(first).toMatchObject({ skipped: false, url: expect.stringMatching(/\/runs\/\d+$/) });
  });

  it('keeps one check run per name', async () => {
    const { github, repo, octokit } = setup();
    for (const name of ['modelship/gate (a)', 'modelship/gate (b)', 'modelship/gate (a)']) {
      await createOrUpdateCheckRun(octokit, {
        ...base,
        name,
        conclusion: 'success',
        title: 'ok',
        summary: 'ok',
      });
    }
    expect(github.checkRunsOn(repo, headSha).map((r) => r.name)).toEqual([
      'modelship/gate (a)',
      'modelship/gate (b)',
    ]);
  });

  it('trims a summary over 65,535 characters', async () => {
    const { github, repo, octokit } = setup();
    await createOrUpdateCheckRun(octokit, {
      ...base,
      name: 'gate',
      conclusion: 'neutral',
      title: 'long',
      summary: 'row\n'.repeat(20_000),
      text: 'x'.repeat(70_000),
    });
    const run = github.checkRunsOn(repo, headSha)[0];
    expect(run?.output.summary?.length).toBeLessThanOrEqual(65_535);
    expect(run?.output.summary).toMatch(/Trimmed to fit GitHub's 65,535-character limit/);
    expect(run?.output.text?.length).toBeLessThanOrEqual(65_535);
  });

  it('skips with a reason on a fork’s read-only token', async () => {
    const { github, repo, octokit } = setup((g) => g.actionsToken({ readOnly: true }));
    const result = await createOrUpdateCheckRun(octokit, {
      ...base,
      name: 'gate',
      conclusion: 'success',
      title: 'ok',
      summary: 'ok',
    });
    expect(result).toEqual({
      skipped: true,
      reason: expect.stringMatching(
        /POST \/repos\/acme\/models\/check-runs \(403 .*`checks: write`/,
      ),
    });
    expect(github.checkRunsOn(repo, headSha)).toHaveLength(0);
  });

  it('skips with a reason for a personal access token, which cannot write check runs', async () => {
    const { octokit } = setup((g) => g.userToken('octocat'));
    const result = await createOrUpdateCheckRun(octokit, {
      ...base,
      name: 'gate',
      conclusion: 'success',
      title: 'ok',
      summary: 'ok',
    });
    expect(result).toMatchObject({
      skipped: true,
      reason: expect.stringMatching(/GitHub App/),
    });
  });

  it('retries a 502 on the update', async () => {
    const { github, repo, octokit } = setup();
    const input = { ...base, name: 'gate', title: 't', summary: 's' };
    await createOrUpdateCheckRun(octokit, input);
    github.failNext('checks/update', { kind: 'bad-gateway' });
    const result = await createOrUpdateCheckRun(octokit, { ...input, conclusion: 'success' });
    expect(result).toMatchObject({ action: 'updated' });
    expect(github.requestsTo('checks/update').map((r) => r.status)).toEqual([502, 200]);
    expect(github.checkRunsOn(repo, headSha)).toHaveLength(1);
  });
});
