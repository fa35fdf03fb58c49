// The GitHub side of drift-check (drift issue, label, retraining branch and PR, token notice)
// against the OpenAPI-validated fake, with hand-made drift reports; test/actions/driftCheckAction.test.ts
// runs the whole action on the example project's data.
import { describe, expect, it } from 'vitest';
import { followUp } from '../../src/actions/drift-check/followUp.js';
import type { CheckRun } from '../../src/actions/drift-check/driftTexts.js';
import type { DriftColumn, DriftReport } from '../../src/core/drift/index.js';
import { commitFileToBranch } from '../../src/github/retrainBranch.js';
import { classifyToken } from '../../src/github/tokenKind.js';
import type { FakeRepo } from '../support/github/fakeEntities.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
const BRANCH = 'heads/modelship/retrain-credit-risk';
const FILE = '.modelship/retrain-credit-risk.json';

function column(drifted: boolean): DriftColumn {
  return {
    type: 'numeric',
    method: 'ks',
    score: drifted ? 0.001 : 0.6,
    threshold: 0.05,
    drifted,
    psi: drifted ? 0.4 : 0.01,
    approximate: false,
    n_unique: 50,
    reference: { count: 300, nulls: 0, null_share: 0 },
    current: { count: 300, nulls: 0, null_share: 0 },
    shares: { bins: [], reference: [], current: [] },
  };
}

function report(drifted: string[], clean: string[]): DriftReport {
  const columns = Object.fromEntries([
    ...drifted.map((n) => [n, column(true)] as const),
    ...clean.map((n) => [n, column(false)] as const),
  ]);
  const total = drifted.length + clean.length;
  const share = drifted.length / total;
  return {
    dataset_drift: share >= 0.5,
    drift_share: share,
    share_threshold: 0.5,
    drifted_columns: drifted.length,
    total_columns: total,
    approximate: false,
    reference: { kind: 'data', source: 'data/eval.csv', rows: 300 },
    current: { source: 'data/current.csv', rows: 300 },
    columns,
    notes: [],
    created: '2024-05-01T00:00:00Z',
  };
}

const DRIFTED = report(['duration', 'credit_amount', 'age'], ['residence_since']);
const CLEAN = report(['age'], ['duration', 'credit_amount', 'residence_since']);

function checkRun(r: DriftReport, n = 1): CheckRun {
  return {
    model: 'credit-risk',
    report: r,
    markdown: `## Drift report: credit-risk\n\n${r.dataset_drift ? 'Drift' : 'No drift'} (run ${n})`,
    checkedAt: new Date(Date.UTC(2024, 4, n, 6)),
    runUrl: `https://github.com/owner/repo/actions/runs/${n}`,
    referenceLabel: 'production credit-risk-v1.0.0',
    currentLabel: 'data/current.csv',
  };
}

function setup(github: GitHubFake, token: string) {
  const repo = github.addRepo('owner', 'repo');
  const octokit = clientFor(github, token);
  const check = (
    r: DriftReport,
    n: number,
    options: Partial<Parameters<typeof followUp>[0]> = {},
  ) =>
    followUp({
      octokit,
      owner: 'owner',
      repo: 'repo',
      run: checkRun(r, n),
      openIssue: true,
      openPr: true,
      tokenKind: classifyToken(token, []),
      ...options,
    });
  return { repo, check };
}

const openIssues = (github: GitHubFake, repo: FakeRepo) =>
  github.issuesOf(repo).filter((i) => i.state === 'open');

describe('drift follow-up on GitHub', () => {
  it('three drifted runs leave one issue and one PR, updated each run', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    const git = github.gitOf(repo);
    const refs: string[] = [];

    const first = await check(DRIFTED, 1);
    refs.push(git.refs.get(BRANCH)!);
    const second = await check(DRIFTED, 2);
    refs.push(git.refs.get(BRANCH)!);
    const third = await check(DRIFTED, 3);
    refs.push(git.refs.get(BRANCH)!);

    const [issue, ...otherIssues] = github.issuesOf(repo);
    expect(otherIssues).toEqual([]);
    const [pull, ...otherPulls] = github.pullsOf(repo);
    expect(otherPulls).toEqual([]);
    expect([first, second, third].map((f) => f.issue)).toEqual([
      { number: issue!.number, url: expect.any(String), action: 'opened' },
      { number: issue!.number, url: expect.any(String), action: 'updated' },
      { number: issue!.number, url: expect.any(String), action: 'updated' },
    ]);
    expect([first, second, third].map((f) => f.pr?.action)).toEqual([
      'created',
      'updated',
      'updated',
    ]);
    expect(issue!.labels).toEqual(['modelship:drift']);
    expect(issue!.body).toContain('<!-- modelship:drift model=credit-risk -->');
    // The body is the latest run's report, linked to the PR; a comment per later run.
    expect(issue!.body).toContain('(run 3)');
    expect(issue!.body).toContain(`**Retraining PR:** #${pull!.number}`);
    const comments = github.commentsOn(repo, issue!.number);
    expect(comments).toHaveLength(2);
    expect(comments[0]!.body).toContain('3 of 4 columns drifted');
    expect(comments[1]!.body).toContain('actions/runs/3');
    // The PR: from the branch to main, linking the issue, its branch moved every run.
    expect(pull!.head.ref).toBe('modelship/retrain-credit-risk');
    expect(pull!.base.ref).toBe('main');
    expect(pull!.body).toContain(`Closes #${issue!.number}`);
    expect(pull!.body).toContain('actions/runs/3');
    expect(new Set(refs).size).toBe(3);
    expect(pull!.head.sha).toBe(refs[2]);
    // Rebuilt on main each time: one commit ahead, holding the latest summary.
    const head = git.commits.get(refs[2]!)!;
    expect(head.parents).toEqual([git.refs.get('heads/main')]);
    const file = JSON.parse(git.fileAt(BRANCH, FILE)!) as Record<string, unknown>;
    expect(file).toMatchObject({
      model: 'credit-risk',
      checked_at: '2024-05-03T06:00:00Z',
      issue: issue!.number,
      dataset_drift: true,
      drifted_columns: ['duration', 'credit_amount', 'age'],
      current: { source: 'data/current.csv', rows: 300, label: 'data/current.csv' },
    });
    expect(git.fileAt(BRANCH, 'README.md')).toBe('# repo\n');
    expect(github.labelsOf(repo).map((l) => l.name)).toEqual(['modelship:drift']);
    expect(github.requestsTo('issues/create-label')).toHaveLength(1);
  });

  it('a re-run of the same workflow run edits its comment instead of adding one', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    await check(DRIFTED, 1);
    await check(DRIFTED, 2);
    await check(DRIFTED, 2);
    await check(CLEAN, 3);
    await check(CLEAN, 3);
    const comments = github.commentsOn(repo, github.issuesOf(repo)[0]!.number);
    expect(comments.map((c) => /runs\/(\d)\)/.exec(c.body)?.[1])).toEqual(['2', '3']);
    expect(comments[0]!.body).toContain('<!-- modelship:drift-check/credit-risk/run-2 -->');
  });

  it('a re-run of the run that opened the issue adds no comment and leaves the branch', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    const git = github.gitOf(repo);
    const first = await check(DRIFTED, 1);
    const head = git.refs.get(BRANCH);
    const again = await check(DRIFTED, 1);
    expect(again.issue).toMatchObject({ number: first.issue!.number, action: 'opened' });
    expect(again.pr?.commit.action).toBe('unchanged');
    expect(git.refs.get(BRANCH)).toBe(head);
    expect(github.commentsOn(repo, first.issue!.number)).toEqual([]);
    // The opening run's marker survives the body refresh; the next run comments and commits.
    expect(github.issuesOf(repo)[0]!.body).toContain(
      'modelship:opened-by drift-check/credit-risk/run-1',
    );
    await check(DRIFTED, 2);
    expect(github.commentsOn(repo, first.issue!.number)).toHaveLength(1);
    expect(git.refs.get(BRANCH)).not.toBe(head);
  });

  it('opens a new issue once the old one was closed, and reuses the open PR', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    await check(DRIFTED, 1);
    const [old] = github.issuesOf(repo);
    github.closeIssue(repo, old!.number);

    const again = await check(DRIFTED, 2);
    expect(again.issue?.action).toBe('opened');
    expect(again.issue?.number).not.toBe(old!.number);
    expect(openIssues(github, repo)).toHaveLength(1);
    expect(github.commentsOn(repo, old!.number)).toEqual([]);
    expect(github.pullsOf(repo)).toHaveLength(1);
    expect(github.pullsOf(repo)[0]!.body).toContain(`Closes #${again.issue!.number}`);
  });

  it('a clean check comments its figures on the open drift issue and closes it', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    expect(await check(CLEAN, 1)).toEqual({ tokenKind: 'app', notes: [] });
    expect(github.issuesOf(repo)).toEqual([]);
    expect(github.pullsOf(repo)).toEqual([]);

    await check(DRIFTED, 2);
    const sha = github.gitOf(repo).refs.get(BRANCH);
    const writes = github.requests.filter((r) => r.method !== 'GET').length;
    const clean = await check(CLEAN, 3);

    const [issue] = github.issuesOf(repo);
    expect(clean.issue).toMatchObject({ number: issue!.number, action: 'closed' });
    expect(clean.pr).toBeUndefined();
    // The comment, the close, and the close's time written beside the marker.
    expect(github.requests.filter((r) => r.method !== 'GET')).toHaveLength(writes + 3);
    expect(issue!.state).toBe('closed');
    const [comment] = github.commentsOn(repo, issue!.number);
    expect(comment!.body).toContain('actions/runs/3');
    expect(comment!.body).toContain(
      '- data: 1 of 4 columns drifted (share 0.25; the dataset drifts at 0.50), below the dataset threshold;',
    );
    expect(comment!.body).toContain('Closing this issue.');
    expect(github.pullsOf(repo)).toHaveLength(1);
    expect(github.gitOf(repo).refs.get(BRANCH)).toBe(sha);

    // A re-run of the clean run finds no open issue: nothing more.
    const again = await check(CLEAN, 3);
    expect(again.issue).toBeUndefined();
    expect(github.commentsOn(repo, issue!.number)).toHaveLength(1);
  });

  it('reopens the issue a clean check closed when drift returns; a re-run adds nothing', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    await check(DRIFTED, 1);
    await check(CLEAN, 2);
    const back = await check(DRIFTED, 3);
    const [issue, ...others] = github.issuesOf(repo);
    expect(others).toEqual([]);
    expect(back.issue).toMatchObject({ number: issue!.number, action: 'reopened' });
    expect(issue!.state).toBe('open');
    expect(issue!.body).not.toContain('closed-by-check');
    const comments = () => github.commentsOn(repo, issue!.number).map((c) => c.body);
    expect(comments()).toEqual([
      expect.stringContaining('Closing this issue.'),
      expect.stringContaining('Reopened: the check that closed this issue was clean'),
    ]);

    await check(DRIFTED, 3);
    expect(comments()).toHaveLength(2);
    expect(github.issuesOf(repo)).toHaveLength(1);
  });

  it('a degraded production without drift: the issue and PR say "Performance degraded" first', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    const reason = 'roc_auc 0.6100 < 0.7000 (min)';
    const degraded: DriftReport = {
      ...CLEAN,
      degradation: {
        degraded: true,
        reasons: [reason],
        checks: [{ kind: 'gate', metric: 'roc_auc', passed: false, message: reason }],
        notes: [],
      },
    };
    const command = 'gh workflow run drift.yml --repo owner/repo -f rollback-to=credit-risk-v0.9.0';
    const written = await check(degraded, 1, {
      run: {
        ...checkRun(degraded, 1),
        rollback: {
          mode: 'manual',
          from: 'credit-risk-v1.0.0',
          to: 'credit-risk-v0.9.0',
          reason: 'performance degraded',
          deploy: false,
          command,
        },
      },
    });
    expect(written.issue?.action).toBe('opened');
    const [issue] = github.issuesOf(repo);
    expect(issue!.title).toBe('Production degraded: credit-risk');
    expect(issue!.body!.split('\n').slice(0, 4)).toEqual([
      '<!-- modelship:drift model=credit-risk -->',
      '**⚠️ Performance degraded:** `production credit-risk-v1.0.0` on `data/current.csv`:',
      `- ${reason}`,
      `**Rollback:** to go back to \`credit-risk-v0.9.0\`, the previous good version, run \`${command}\` (\`rollback.mode: auto\` in modelship.yml does it by itself).`,
    ]);
    const [pull] = github.pullsOf(repo);
    expect(pull!.title).toBe('Retrain credit-risk: performance degraded');
    expect(pull!.body!.split('\n')[1]).toBe(`⚠️ Performance degraded: ${reason}.`);
    const file = JSON.parse(github.gitOf(repo).fileAt(BRANCH, FILE)!) as Record<string, unknown>;
    expect(file).toMatchObject({ reason: 'performance degraded', dataset_drift: false });
  });

  it('does not reopen an issue a person reopened and closed again: a new one tells the story', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    await check(DRIFTED, 1);
    await check(CLEAN, 2);
    const [first] = github.issuesOf(repo);
    // A person reopens it and closes it again, through the API.
    const person = clientFor(github, github.userToken('alice'));
    const issue = { owner: 'owner', repo: 'repo', issue_number: first!.number };
    await person.rest.issues.update({ ...issue, state: 'open' });
    await person.rest.issues.update({ ...issue, state: 'closed' });

    const back = await check(DRIFTED, 3);
    expect(back.issue?.action).toBe('opened');
    expect(back.issue?.number).not.toBe(first!.number);
    expect(first!.state).toBe('closed');
  });

  it('trims the issue and PR bodies to 65,536 characters, linking the job summary', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    const huge = {
      ...checkRun(DRIFTED, 1),
      markdown: `| column | score |\n${'| x | 1 |\n'.repeat(12_000)}`,
    };
    await followUp({
      octokit: clientFor(github, github.userToken('mlops-bot')),
      owner: 'owner',
      repo: 'repo',
      run: huge,
      openIssue: true,
      openPr: true,
      tokenKind: 'app',
    });
    const [issue] = github.issuesOf(repo);
    expect(issue!.body!.length).toBeLessThanOrEqual(65_536);
    expect(issue!.body!.startsWith('<!-- modelship:drift model=credit-risk -->')).toBe(true);
    expect(issue!.body).toContain(
      "the full report is in [the workflow run's job summary](https://github.com/owner/repo/actions/runs/1)",
    );
    // A later run finds the trimmed issue by its marker.
    expect((await check(DRIFTED, 2)).issue?.action).toBe('updated');
  });

  it('finds the drift issue among many labelled issues and pull requests (pagination)', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    await check(DRIFTED, 1);
    const [ours] = github.issuesOf(repo);
    // Newer issues with the label: another model's, a person's; more than a page of them.
    for (let i = 0; i < 120; i++) {
      github.createIssue(repo, {
        labels: ['modelship:drift'],
        body: i % 2 ? '<!-- modelship:drift model=credit-risk-eu -->' : 'seen this?',
      });
    }
    const again = await check(DRIFTED, 2);
    expect(again.issue).toMatchObject({ number: ours!.number, action: 'updated' });
    expect(github.requestsTo('issues/list-for-repo').length).toBeGreaterThan(2);
  });

  it('does not create the label again when it exists, in any case', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    github.addLabel(repo, 'Modelship:Drift', { color: '000000' });
    await check(DRIFTED, 1);
    expect(github.labelsOf(repo)).toHaveLength(1);
    expect(github.requestsTo('issues/create-label')).toEqual([]);
  });

  it('with the workflow token, says the PR starts no workflow and how to fix it', async () => {
    const github = fake();
    const token = github.actionsToken();
    const { repo, check } = setup(github, token);
    // Known up front: the token is the workflow's own.
    const known = await check(DRIFTED, 1, { tokenKind: classifyToken(token, [token]) });
    expect(known.tokenKind).toBe('workflow');
    const [pull] = github.pullsOf(repo);
    expect(pull!.user.login).toBe('github-actions[bot]');
    expect(pull!.body).toContain('> [!IMPORTANT]');
    expect(pull!.body).toContain('actions/create-github-app-token');
    expect(pull!.body).toContain('GITHUB_TOKEN');
  });

  it('tells the workflow token by its author when it was not known', async () => {
    const github = fake();
    const token = github.actionsToken();
    const { repo, check } = setup(github, token);
    const found = await check(DRIFTED, 1, { openIssue: false });
    expect(found.tokenKind).toBe('workflow');
    expect(github.pullsOf(repo)[0]!.body).toContain('actions/create-github-app-token');
    expect(github.issuesOf(repo)).toEqual([]);
  });

  it('an App or personal token gets no notice', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.userToken('mlops-bot'));
    const result = await check(DRIFTED, 1);
    expect(result.tokenKind).toBe('app');
    expect(github.pullsOf(repo)[0]!.body).not.toContain('[!IMPORTANT]');
  });

  it('skips writes a read-only token may not make, with notes', async () => {
    const github = fake();
    const { repo, check } = setup(github, github.actionsToken({ readOnly: true }));
    const result = await check(DRIFTED, 1);
    expect(result.issue).toBeUndefined();
    expect(result.pr).toBeUndefined();
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^The drift issue was not written: GitHub refused POST \/repos\/owner\/repo\/labels \(403/,
      ),
      expect.stringMatching(
        /^The retraining pull request was not written: GitHub refused POST \/repos\/owner\/repo\/git\/blobs \(403/,
      ),
    ]);
    expect(github.issuesOf(repo)).toEqual([]);
  });

  it('fails with one sentence naming the call when GitHub fails', async () => {
    const github = fake();
    const { check } = setup(github, github.userToken('mlops-bot'));
    github.failNext('git/create-tree', { kind: 'bad-gateway' }, 4);
    const error = await check(DRIFTED, 1).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(
      /^GitHub failed on POST \/repos\/owner\/repo\/git\/trees \(502 Server Error\) after retries: .*\.$/,
    );
    expect(error?.message).not.toContain('\n');
  });
});

describe('the retraining branch', () => {
  it('adds its commit on top of commits others pushed, never force-updating them away', async () => {
    const github = fake();
    const repo = github.addRepo('owner', 'repo');
    const octokit = clientFor(github, github.userToken('mlops-bot'));
    const file = {
      owner: 'owner',
      repo: 'repo',
      branch: 'modelship/retrain-credit-risk',
      path: FILE,
      subject: 'Retrain credit-risk',
    };
    const git = github.gitOf(repo);
    expect((await commitFileToBranch(octokit, { ...file, content: '1' })).action).toBe('created');
    git.commitFiles('main', { 'train.py': 'v2' }, 'Newer main', github.now());
    const rebuilt = await commitFileToBranch(octokit, { ...file, content: '2' });
    expect(rebuilt.action).toBe('rebuilt');
    expect(git.commits.get(rebuilt.sha)!.parents).toEqual([git.refs.get('heads/main')]);
    // A person pushes a retrained model to the branch.
    const theirs = git.commitFiles(
      'modelship/retrain-credit-risk',
      { 'model.onnx': 'new weights' },
      'Retrain with May data',
      github.now(),
    );
    const appended = await commitFileToBranch(octokit, { ...file, content: '3' });
    expect(appended.action).toBe('appended');
    expect(git.commits.get(appended.sha)!.parents).toEqual([theirs.sha]);
    expect(git.fileAt(BRANCH, 'model.onnx')).toBe('new weights');
    expect(git.fileAt(BRANCH, FILE)).toBe('3');
    // Still not Modelship's alone: appended again.
    expect((await commitFileToBranch(octokit, { ...file, content: '4' })).action).toBe('appended');
    // The fake refuses a non-forced update that is no fast-forward: these all were one.
    expect(github.requestsTo('git/update-ref')).toHaveLength(3);
  });
});

describe('classifyToken', () => {
  it('follows the documented rule', () => {
    expect(classifyToken('ghs_abc', ['ghs_abc'])).toBe('workflow');
    expect(classifyToken('ghs_abc', [undefined, 'ghs_other'])).toBe('app');
    expect(classifyToken('ghp_abc', ['ghs_other'])).toBe('personal');
    expect(classifyToken('github_pat_abc', [])).toBe('personal');
    expect(classifyToken('v1.abc', [''])).toBe('unknown');
  });
});
