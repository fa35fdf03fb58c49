import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../src/core/errors.js';
import { createOctokit, type RateLimitEvent } from '../../src/github/octokit.js';
import { upsertStickyComment } from '../../src/github/stickyComment.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();

function setup() {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  const issue = github.addIssue(repo);
  return { github, repo, issue, token: github.userToken('octocat') };
}

describe('createOctokit', () => {
  it('refuses an empty token with a sentence saying what to pass', () => {
    expect(() => createOctokit({ token: '' })).toThrow(ModelshipError);
    expect(() => createOctokit({ token: '' })).toThrow(/github-token/);
  });

  it('retries a secondary rate limit (403 + retry-after) and reports it', async () => {
    const { github, issue, token } = setup();
    github.failNext('issues/create-comment', { kind: 'secondary-rate-limit', retryAfter: 1 });
    const events: RateLimitEvent[] = [];
    const octokit = clientFor(github, token, { onRateLimit: (e) => events.push(e) });

    const { status } = await octokit.rest.issues.createComment({
      owner: 'acme',
      repo: 'models',
      issue_number: issue,
      body: 'hello',
    });

    expect(status).toBe(201);
    expect(github.requestsTo('issues/create-comment').map((r) => r.status)).toEqual([403, 201]);
    expect(events).toEqual([
      expect.objectContaining({ kind: 'secondary', retryAfterSeconds: 1, willRetry: true }),
    ]);
  });

  it('retries a 429 secondary rate limit with retry-after: 0, once per limit', async () => {
    const { github, issue, token } = setup();
    github.failNext('issues/list-comments', {
      kind: 'secondary-rate-limit',
      retryAfter: 0,
      status: 429,
    });
    const octokit = clientFor(github, token);
    await octokit.rest.issues.listComments({ owner: 'acme', repo: 'models', issue_number: issue });
    expect(github.requestsTo('issues/list-comments').map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up on a secondary rate limit after the configured retries', async () => {
    const { github, issue, token } = setup();
    github.failNext('issues/list-comments', { kind: 'secondary-rate-limit', retryAfter: 1 }, 5);
    const octokit = clientFor(github, token, { retries: 2 });
    await expect(
      octokit.rest.issues.listComments({ owner: 'acme', repo: 'models', issue_number: issue }),
    ).rejects.toMatchObject({ status: 403 });
    expect(github.requestsTo('issues/list-comments')).toHaveLength(3);
  });

  it('retries a 502 and then succeeds', async () => {
    const { github, token } = setup();
    github.failNext('users/get-authenticated', { kind: 'bad-gateway' });
    const octokit = clientFor(github, token);
    const { data } = await octokit.rest.users.getAuthenticated();
    expect(data.login).toBe('octocat');
    expect(github.requestsTo('users/get-authenticated').map((r) => r.status)).toEqual([502, 200]);
  });

  it('does not retry a plain 403', async () => {
    const { github, token } = setup();
    github.failNext('users/get-authenticated', { kind: 'forbidden' });
    const octokit = clientFor(github, token);
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 403 });
    expect(github.requestsTo('users/get-authenticated')).toHaveLength(1);
  });
});

describe('the GitHub fake', () => {
  it('rejects a status whose state is not in the schema (422), and records it', async () => {
    const { github, token } = setup();
    const octokit = clientFor(github, token);
    await expect(
      octokit.request('POST /repos/{owner}/{repo}/statuses/{sha}', {
        owner: 'acme',
        repo: 'models',
        sha: 'a'.repeat(40),
        state: 'passed' as 'success',
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(github.violations).toEqual([
      expect.objectContaining({ kind: 'request', operationId: 'repos/create-commit-status' }),
    ]);
    expect(github.violations[0]?.errors.join()).toMatch(/state/);
    github.violations.length = 0;
  });

  it('rejects a comment without a body and one over 65,536 characters', async () => {
    const { github, issue, token } = setup();
    const octokit = clientFor(github, token);
    const route = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
    const params = { owner: 'acme', repo: 'models', issue_number: issue };
    await expect(octokit.request(route, params as never)).rejects.toMatchObject({ status: 422 });
    await expect(
      octokit.request(route, { ...params, body: 'x'.repeat(65_537) }),
    ).rejects.toMatchObject({ status: 422 });
    expect(github.violations.map((v) => v.errors.join())).toEqual([
      expect.stringMatching(/request body is required|body/),
      expect.stringMatching(/too long/),
    ]);
    github.violations.length = 0;
  });

  it('rejects a query parameter of the wrong type', async () => {
    const { github, issue, token } = setup();
    const octokit = clientFor(github, token);
    await expect(
      octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        owner: 'acme',
        repo: 'models',
        issue_number: issue,
        per_page: 'many' as unknown as number,
      }),
    ).rejects.toMatchObject({ status: 422 });
    expect(github.violations).toHaveLength(1);
    github.violations.length = 0;
  });

  it('accepts unknown body fields where the schema allows them, as GitHub does', async () => {
    const { github, issue, token } = setup();
    const octokit = clientFor(github, token);
    const { status } = await octokit.request(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { owner: 'acme', repo: 'models', issue_number: issue, body: 'hi', mood: 'cheerful' },
    );
    expect(status).toBe(201);
  });

  it('enforces additionalProperties: false where the schema says so', () => {
    const { github } = setup();
    const operation = github.validator.match('GET', '/user')?.operation;
    const user = {
      login: 'octocat',
      id: 1,
      node_id: 'x',
      avatar_url: 'https://example.com/a',
      gravatar_id: null,
      url: 'https://example.com/u',
      html_url: 'https://example.com/h',
      followers_url: 'https://example.com/f',
      following_url: 'x',
      gists_url: 'x',
      starred_url: 'x',
      subscriptions_url: 'https://example.com/s',
      organizations_url: 'https://example.com/o',
      repos_url: 'https://example.com/r',
      events_url: 'x',
      received_events_url: 'https://example.com/e',
      type: 'User',
      site_admin: false,
      name: null,
      company: null,
      blog: null,
      location: null,
      email: null,
      hireable: null,
      bio: null,
      public_repos: 0,
      public_gists: 0,
      followers: 0,
      following: 0,
      created_at: '2020-01-01T00:00:00Z',
      updated_at: '2020-01-01T00:00:00Z',
    };
    expect(github.validator.validateResponse(operation, 200, user)).toEqual([]);
    expect(github.validator.validateResponse(operation, 200, { ...user, mood: 1 })).not.toEqual([]);
  });

  it('answers 401 to an unknown token and 404 to an undocumented route', async () => {
    const { github } = setup();
    const octokit = clientFor(github, 'ghp_unknown');
    await expect(octokit.rest.users.getAuthenticated()).rejects.toMatchObject({ status: 401 });
    await expect(octokit.request('GET /meta')).rejects.toMatchObject({ status: 404 });
    expect(github.violations).toEqual([expect.objectContaining({ kind: 'route', path: '/meta' })]);
    github.violations.length = 0;
  });
});

describe('explainRequestError', () => {
  it('calls an exhausted secondary rate limit a rate limit, not a missing permission', async () => {
    const { github, issue, token } = setup();
    github.failNext('issues/create-comment', { kind: 'secondary-rate-limit', retryAfter: 0 }, 9);
    const octokit = clientFor(github, token, { retries: 1 });
    await expect(
      upsertStickyComment(octokit, {
        owner: 'acme',
        repo: 'models',
        issueNumber: issue,
        marker: 'm',
        body: 'x',
      }),
    ).rejects.toThrow(
      /^GitHub rate-limited POST \/repos\/acme\/models\/issues\/\d+\/comments \(403\)/,
    );
  });

  it('says GitHub could not be reached when nothing answers, instead of blaming GitHub', async () => {
    // A port nothing listens on: fetch fails before any HTTP answer.
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    await new Promise((done) => server.close(done));
    const octokit = createOctokit({
      token: 't',
      baseUrl: `http://127.0.0.1:${port}`,
      retries: 1,
      retryAfterBaseMs: 1,
      paceWrites: false,
    });
    const write = upsertStickyComment(octokit, {
      owner: 'acme',
      repo: 'models',
      issueNumber: 1,
      marker: 'm',
      body: 'x',
    });
    await expect(write).rejects.toThrow(ModelshipError);
    await expect(write).rejects.toThrow(
      /^Could not reach GitHub for GET \/user \(.+\) after retries: check the runner.s network/,
    );
  });
});
