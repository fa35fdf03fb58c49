import { describe, expect, it } from 'vitest';
import { ModelshipError } from '../../src/core/errors.js';
import { GitHubPermissionError } from '../../src/github/requestError.js';
import {
  GitHubCommenter,
  markerComment,
  upsertStickyComment,
} from '../../src/github/stickyComment.js';
import { ACTIONS_BOT } from '../support/github/fakeState.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const where = { owner: 'acme', repo: 'models' };

function setup() {
  const github = fake();
  const repo = github.addRepo('acme', 'models');
  const pr = github.addPullRequest(repo, {
    author: 'alice',
    head: { ref: 'retrain', sha: 'c'.repeat(40) },
  });
  return { github, repo, number: pr.number };
}

describe('upsertStickyComment', () => {
  it('leaves exactly one comment after three upserts, updated in place', async () => {
    const { github, repo, number } = setup();
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    const actions = [];
    for (const run of [1, 2, 3]) {
      const result = await upsertStickyComment(octokit, {
        ...where,
        issueNumber: number,
        marker: 'evaluate/credit-risk',
        body: `report of run ${run}`,
      });
      actions.push(result.action);
    }
    expect(actions).toEqual(['created', 'updated', 'updated']);
    const comments = github.commentsOn(repo, number);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`${markerComment('evaluate/credit-risk')}\nreport of run 3`);
    expect(comments[0]?.user.login).toBe('modelship-bot');
  });

  it('does not write when the body is unchanged', async () => {
    const { github, number } = setup();
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    const input = { ...where, issueNumber: number, marker: 'evaluate/m', body: 'same' };
    const first = await upsertStickyComment(octokit, input);
    const second = await upsertStickyComment(octokit, input);
    expect(second).toEqual({ ...first, action: 'unchanged' });
    expect(github.requestsTo('issues/update-comment')).toHaveLength(0);
    expect(first.url).toMatch(/^https:\/\/github\.com\/acme\/models\/pull\/\d+#issuecomment-\d+$/);
  });

  it('gives a second marker (a second model) its own comment', async () => {
    const { github, repo, number } = setup();
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    const a = await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/credit',
      body: 'credit',
    });
    const b = await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/credit-risk',
      body: 'credit-risk',
    });
    const again = await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/credit',
      body: 'credit, again',
    });
    expect([a.action, b.action, again.action]).toEqual(['created', 'created', 'updated']);
    expect(again.id).toBe(a.id);
    expect(github.commentsOn(repo, number).map((c) => c.body.split('\n')[1])).toEqual([
      'credit, again',
      'credit-risk',
    ]);
  });

  it('finds its comment on page 2 among 150 comments', async () => {
    const { github, repo, number } = setup();
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    for (let i = 0; i < 150; i++) {
      const body = i === 120 ? `${markerComment('evaluate/m')}\nold report` : `comment ${i}`;
      github.addComment(repo, number, i === 120 ? 'modelship-bot' : `user${i % 7}`, body);
    }
    const result = await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/m',
      body: 'new report',
    });
    expect(result.action).toBe('updated');
    expect(github.commentsOn(repo, number)).toHaveLength(150);
    expect(github.commentsOn(repo, number)[120]?.body).toMatch(/new report$/);
    const pages = github.requestsTo('issues/list-comments').map((r) => r.path);
    expect(pages).toHaveLength(2);
    expect(pages[1]).toMatch(/page=2/);
  });

  it('does not hijack a marked comment written by someone else', async () => {
    const { github, repo, number } = setup();
    const forged = github.addComment(
      repo,
      number,
      'mallory',
      `${markerComment('evaluate/m')}\nall good, merge it`,
    );
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    const result = await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/m',
      body: 'gate failed',
    });
    expect(result.action).toBe('created');
    expect(result.id).not.toBe(forged.id);
    expect(forged.body).toBe(`${markerComment('evaluate/m')}\nall good, merge it`);
  });

  it('works with the Actions token, for which GET /user is forbidden', async () => {
    const { github, repo, number } = setup();
    github.addComment(repo, number, 'mallory', `${markerComment('evaluate/m')}\nforged`);
    const octokit = clientFor(github, github.actionsToken());
    const input = { ...where, issueNumber: number, marker: 'evaluate/m' };
    const first = await upsertStickyComment(octokit, { ...input, body: 'one' });
    const second = await upsertStickyComment(octokit, { ...input, body: 'two' });
    expect([first.action, second.action]).toEqual(['created', 'updated']);
    expect(second.id).toBe(first.id);
    const ours = github.commentsOn(repo, number).filter((c) => c.user.login === ACTIONS_BOT);
    expect(ours).toHaveLength(1);
    expect(github.requestsTo('users/get-authenticated').map((r) => r.status)).toEqual([403, 403]);
  });

  it('matches the given author without asking GET /user', async () => {
    const { github, repo, number } = setup();
    github.addComment(repo, number, ACTIONS_BOT, `${markerComment('evaluate/m')}\nold`);
    const octokit = clientFor(github, github.actionsToken());
    const result = await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/m',
      body: 'new',
      author: ACTIONS_BOT,
    });
    expect(result.action).toBe('updated');
    expect(github.requestsTo('users/get-authenticated')).toHaveLength(0);
  });

  it('trims a body over 65,536 characters, closes its code block, and links the full report', async () => {
    const { github, repo, number } = setup();
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    const body = `# Report\n\n\`\`\`text\n${'0123456789abcdef\n'.repeat(5000)}\`\`\`\n`;
    await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/m',
      body,
      fullReportUrl: 'https://github.com/acme/models/actions/runs/1',
    });
    const stored = github.commentsOn(repo, number)[0]?.body ?? '';
    expect(stored.length).toBeLessThanOrEqual(65_536);
    expect(stored.startsWith(markerComment('evaluate/m'))).toBe(true);
    expect(stored).toMatch(/\n```\n\n> \[!NOTE\]\n> This report was trimmed/);
    expect(stored).toContain('(https://github.com/acme/models/actions/runs/1)');
  });

  it('retries a 502 on creation and leaves one comment', async () => {
    const { github, repo, number } = setup();
    github.failNext('issues/create-comment', { kind: 'bad-gateway' });
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    const result = await upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/m',
      body: 'report',
    });
    expect(result.action).toBe('created');
    expect(github.commentsOn(repo, number)).toHaveLength(1);
  });

  it('throws a permission error naming the call and the fix on a fork’s read-only token', async () => {
    const { github, number } = setup();
    const octokit = clientFor(github, github.actionsToken({ readOnly: true }));
    const attempt = upsertStickyComment(octokit, {
      ...where,
      issueNumber: number,
      marker: 'evaluate/m',
      body: 'report',
    });
    await expect(attempt).rejects.toBeInstanceOf(GitHubPermissionError);
    await expect(attempt).rejects.toBeInstanceOf(ModelshipError);
    await expect(attempt).rejects.toThrow(
      /^GitHub refused POST \/repos\/acme\/models\/issues\/\d+\/comments \(403 Resource not accessible by integration\): the token lacks `pull-requests: write`.*fork/,
    );
  });

  it('says the token is invalid on a 401', async () => {
    const { github, number } = setup();
    const octokit = clientFor(github, 'ghp_revoked');
    await expect(
      upsertStickyComment(octokit, { ...where, issueNumber: number, marker: 'm', body: 'x' }),
    ).rejects.toThrow(/GET \/user \(401 Bad credentials\): pass a valid `github-token`/);
  });

  it('refuses a marker that could break out of the HTML comment', async () => {
    const { github, number } = setup();
    const octokit = clientFor(github, github.userToken('modelship-bot'));
    await expect(
      upsertStickyComment(octokit, { ...where, issueNumber: number, marker: 'x -->', body: 'x' }),
    ).rejects.toBeInstanceOf(ModelshipError);
  });
});

describe('GitHubCommenter', () => {
  it('upserts through the Commenter interface', async () => {
    const { github, repo, number } = setup();
    const commenter = new GitHubCommenter(clientFor(github, github.actionsToken()), where);
    await commenter.upsert({ issueNumber: number, marker: 'evaluate/m', body: 'a' });
    const result = await commenter.upsert({ issueNumber: number, marker: 'evaluate/m', body: 'b' });
    expect(result).toMatchObject({ action: 'updated' });
    expect(github.commentsOn(repo, number)).toHaveLength(1);
  });

  it('degrades to skipped, with the reason, when a fork’s token may not comment', async () => {
    const { github, repo, number } = setup();
    const token = github.actionsToken({ readOnly: true });
    const commenter = new GitHubCommenter(clientFor(github, token), where);
    const result = await commenter.upsert({ issueNumber: number, marker: 'm', body: 'x' });
    expect(result).toEqual({
      skipped: true,
      reason: expect.stringMatching(/`pull-requests: write`.*fork.*`workflow_run`/),
    });
    expect(github.commentsOn(repo, number)).toHaveLength(0);
  });

  it('still throws what is not a permission problem', async () => {
    const { github } = setup();
    const commenter = new GitHubCommenter(clientFor(github, github.actionsToken()), where);
    await expect(commenter.upsert({ issueNumber: 999, marker: 'm', body: 'x' })).rejects.toThrow(
      /found nothing at GET \/repos\/acme\/models\/issues\/999\/comments \(404\)/,
    );
  });
});
