import { describe, expect, it } from 'vitest';
import { isForkPullRequest, resolvePullRequest } from '../../src/github/pullRequest.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const headSha = 'a1'.repeat(20);
const mergeSha = 'f0'.repeat(20);
const repository = (full: string, owner = full.split('/')[0]) => ({
  full_name: full,
  owner: { login: owner },
});

function setup() {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  const fork = github.addRepo('outsider', 'models', { forkOf: repo });
  const octokit = clientFor(github, github.actionsToken());
  const resolve = (eventName: string, payload: unknown) =>
    resolvePullRequest(octokit, { owner: 'acme', repo: 'models', eventName, payload });
  return { github, repo, fork, resolve };
}

const pullRequestPayload = (head: string, number = 7) => ({
  action: 'synchronize',
  number,
  pull_request: {
    number,
    head: { sha: headSha, ref: 'retrain', repo: repository(head) },
    base: { sha: 'b'.repeat(40), ref: 'main', repo: repository('acme/models') },
  },
  repository: repository('acme/models'),
});

describe('resolvePullRequest', () => {
  it('reads pull_request events from the payload, with the head (not merge) SHA', async () => {
    const { github, resolve } = setup();
    await expect(resolve('pull_request', pullRequestPayload('acme/models'))).resolves.toEqual({
      number: 7,
      headSha,
      fork: false,
    });
    await expect(
      resolve('pull_request_target', pullRequestPayload('outsider/models', 8)),
    ).resolves.toEqual({ number: 8, headSha, fork: true });
    expect(github.requests).toHaveLength(0);
  });

  it('takes workflow_run’s listed pull request and head SHA', async () => {
    const { resolve } = setup();
    const payload = {
      action: 'completed',
      workflow_run: {
        head_sha: headSha,
        head_branch: 'retrain',
        pull_requests: [{ number: 12, head: { sha: headSha, ref: 'retrain' } }],
        head_repository: repository('acme/models'),
        repository: repository('acme/models'),
      },
      repository: repository('acme/models'),
    };
    await expect(resolve('workflow_run', payload)).resolves.toEqual({
      number: 12,
      headSha,
      fork: false,
    });
  });

  it('finds a fork’s pull request for workflow_run by head owner and branch', async () => {
    const { github, repo, fork, resolve } = setup();
    github.addPullRequest(repo, {
      author: 'outsider',
      head: { repo: fork, ref: 'retrain', sha: 'old'.padEnd(40, '0') },
      state: 'closed',
    });
    github.addPullRequest(repo, { author: 'alice', head: { ref: 'retrain', sha: headSha } });
    const pr = github.addPullRequest(repo, {
      author: 'outsider',
      head: { repo: fork, ref: 'retrain', sha: headSha },
    });
    const payload = {
      workflow_run: {
        head_sha: headSha,
        head_branch: 'retrain',
        pull_requests: [],
        head_repository: repository('outsider/models'),
        repository: repository('acme/models'),
      },
      repository: repository('acme/models'),
    };
    await expect(resolve('workflow_run', payload)).resolves.toEqual({
      number: pr.number,
      headSha,
      fork: true,
    });
    const [request] = github.requestsTo('pulls/list');
    expect(decodeURIComponent(request?.path ?? '')).toContain('head=outsider:retrain');
    expect(request?.path).toContain('state=open');
  });

  it('answers undefined for a workflow_run with no pull request', async () => {
    const { resolve } = setup();
    const payload = {
      workflow_run: {
        head_sha: headSha,
        head_branch: 'nightly',
        pull_requests: [],
        head_repository: repository('outsider/models'),
      },
      repository: repository('acme/models'),
    };
    await expect(resolve('workflow_run', payload)).resolves.toBeUndefined();
  });

  it('finds the merged pull request of a push to main, with its head SHA', async () => {
    const { github, repo, resolve } = setup();
    const pr = github.addPullRequest(repo, {
      author: 'alice',
      head: { ref: 'retrain', sha: headSha },
      mergeCommitSha: mergeSha,
    });
    await expect(
      resolve('push', {
        ref: 'refs/heads/main',
        after: mergeSha,
        repository: repository('acme/models'),
      }),
    ).resolves.toEqual({ number: pr.number, headSha, fork: false });
    expect(github.requestsTo('repos/list-pull-requests-associated-with-commit')).toHaveLength(1);
  });

  it('finds the open pull request a pushed branch heads', async () => {
    const { github, repo, resolve } = setup();
    const pr = github.addPullRequest(repo, { author: 'alice', head: { ref: 'x', sha: headSha } });
    await expect(resolve('push', { ref: 'refs/heads/x', after: headSha })).resolves.toEqual({
      number: pr.number,
      headSha,
      fork: false,
    });
  });

  it('answers undefined for a push without a pull request, or deleting a branch', async () => {
    const { github, resolve } = setup();
    await expect(resolve('push', { after: headSha })).resolves.toBeUndefined();
    await expect(
      resolve('push', { after: '0'.repeat(40), deleted: true }),
    ).resolves.toBeUndefined();
    expect(github.requestsTo('repos/list-pull-requests-associated-with-commit')).toHaveLength(1);
  });

  it('answers undefined for events without a pull request', async () => {
    const { resolve } = setup();
    await expect(resolve('schedule', { schedule: '0 3 * * *' })).resolves.toBeUndefined();
    await expect(resolve('pull_request', {})).resolves.toBeUndefined();
  });

  it('turns a failed lookup into a sentence naming the call', async () => {
    const { github, resolve } = setup();
    github.failNext('repos/list-pull-requests-associated-with-commit', { kind: 'bad-gateway' }, 9);
    await expect(resolve('push', { after: headSha })).rejects.toThrow(
      /^GitHub failed on GET \/repos\/acme\/models\/commits\/a1a1.*\/pulls \(502 Server Error\) after retries/,
    );
  });
});

describe('isForkPullRequest', () => {
  it('compares head and base repositories of pull_request payloads', () => {
    expect(isForkPullRequest(pullRequestPayload('acme/models'))).toBe(false);
    expect(isForkPullRequest(pullRequestPayload('ACME/Models'))).toBe(false);
    expect(isForkPullRequest(pullRequestPayload('outsider/models'))).toBe(true);
    const deletedFork = pullRequestPayload('x/y');
    (deletedFork.pull_request.head as { repo: unknown }).repo = null;
    expect(isForkPullRequest(deletedFork)).toBe(true);
  });

  it('reads workflow_run’s head repository, and is false for other events', () => {
    const run = (head: string) => ({
      workflow_run: { head_repository: repository(head), repository: repository('acme/models') },
    });
    expect(isForkPullRequest(run('outsider/models'))).toBe(true);
    expect(isForkPullRequest(run('acme/models'))).toBe(false);
    expect(isForkPullRequest({ after: headSha })).toBe(false);
    expect(isForkPullRequest(null)).toBe(false);
  });
});
