// The evaluate action's run() in process against the GitHub fake: real onnxruntime and DuckDB,
// the real Octokit, models trained on the credit-risk example's data, releases as the registry.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/actions/evaluate/main.js';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import type { EvaluationReport } from '../../src/core/evaluation/evaluationReport.js';
import { evaluate } from '../../src/core/evaluation/evaluate.js';
import { ModelshipError } from '../../src/core/errors.js';
import {
  cellSeparators,
  HEAD_SHA,
  inlineParts,
  MERGE_SHA,
  pullRequestRun,
  useActionRun,
  DEFAULT_BRANCH_SHA,
  EVALUATE_INPUT_DEFAULTS,
  type RunEvent,
  ZWSP,
} from '../support/actionRunner.js';
import {
  EVAL_CSV,
  FAILING_GATE,
  PASSING_GATE,
  trainModels,
  writeProject,
  type TrainedModels,
} from '../support/evaluateProject.js';
import { commentJson, type FakeRepo } from '../support/github/fakeEntities.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import type { Scope } from '../support/github/fakeState.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';
import { createDeployment, setDeploymentStatus } from '../../src/github/deployments.js';
import { ResultsService } from '../support/cache/resultsService.js';
import { readZip } from '../support/cache/zip.js';

const { fake } = useGitHubFake();
const action = useActionRun(EVALUATE_INPUT_DEFAULTS);

const WRITES: Scope[] = ['issues', 'pull-requests', 'statuses', 'checks', 'contents'];
const STATUS = 'modelship/gate (credit-risk)';
const CHECK = 'Modelship gate (credit-risk)';
const MARKER = '<!-- modelship:evaluate/credit-risk -->';
const NO_BASELINE = 'no production model yet: only absolute thresholds were checked';
/** foreign_worker's 'no' group has 9 of the 300 holdout rows: under fairness.min_group_size. */
const FOREIGN_WORKER_UNGATED =
  'fairness rules for foreign_worker were not checked: fewer than two of its groups have 30 rows (fairness.min_group_size)';
const IMG = '<img src=x onerror=alert(1)>|@org/team';

let dir: string;
let models: TrainedModels;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelship-evaluate-action-'));
  models = await trainModels(join(dir, 'models'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A published model version: model.onnx with SHA256SUMS in `sha256sum` format. */
function publish(
  github: GitHubFake,
  repo: FakeRepo,
  tag: string,
  model: Uint8Array,
  flags: { draft?: boolean; prerelease?: boolean } = {},
) {
  const card = `# ${tag}\n`;
  const sums = `${sha256(model)}  model.onnx\n${sha256(Buffer.from(card))}  model-card.md\n`;
  return github.addRelease(repo, {
    tag,
    ...flags,
    assets: { 'model.onnx': Buffer.from(model), 'model-card.md': card, SHA256SUMS: sums },
  });
}

/** credit-risk-v1.0.0, v1.1.0 (production), a draft v2.0.0 and a prerelease v1.2.0. */
function publishHistory(github: GitHubFake, repo: FakeRepo) {
  const narrow = readFileSync(models.narrow);
  const older = publish(github, repo, 'credit-risk-v1.0.0', models.bytes.older);
  const production = publish(github, repo, 'credit-risk-v1.1.0', models.bytes.baseline);
  // Neither is production; both hold a model of the wrong width, which would fail the run.
  publish(github, repo, 'credit-risk-v2.0.0', narrow, { draft: true });
  publish(github, repo, 'credit-risk-v1.2.0', narrow, { prerelease: true });
  return { older, production };
}

/** modelship.yml in the workspace, the trained candidate as model.path. */
function project(options: Partial<Parameters<typeof writeProject>[1]> = {}): string {
  return writeProject(action.workspace(), { model: models.candidate, ...options });
}

function setup(options: { writes?: Scope[]; fork?: boolean; event?: RunEvent } = {}) {
  const github = fake();
  // Only a fork's `pull_request` run gets a read-only token.
  const token =
    options.fork && options.event !== 'workflow_run'
      ? github.actionsToken({ readOnly: true })
      : github.actionsToken({ writes: options.writes ?? WRITES });
  return { github, ...pullRequestRun(github, { token, ...options }) };
}

const reportPath = (name = 'credit-risk') =>
  join(action.runnerTemp(), `modelship/evaluate-${name}.json`);
const readReport = (path = reportPath()) =>
  JSON.parse(readFileSync(path, 'utf8')) as EvaluationReport;
const gateStatuses = (github: GitHubFake, repo: FakeRepo, sha = HEAD_SHA) =>
  github.statusesOn(repo, sha).filter((s) => s.context === STATUS);
const warnings = () =>
  action
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('::warning'));
const forbidden = (github: GitHubFake) => github.requests.filter((r) => r.status === 403);

describe('evaluate run() on a pull request', () => {
  it('compares with production and keeps one comment, one status and one check run over three runs', async () => {
    const { github, repo, pr } = setup();
    publishHistory(github, repo);
    const file = project();
    for (const runId of [101, 102, 103]) {
      action.clear();
      process.env.GITHUB_RUN_ID = String(runId);
      await run();
    }

    const comments = github.commentsOn(repo, pr.number);
    expect(comments).toHaveLength(1);
    const [comment] = comments;
    expect(comment!.body.startsWith(MARKER)).toBe(true);
    expect(comment!.body).toContain('Gate passed');
    expect(comment!.body).toContain('production credit-risk-v1.1.0');
    // Updated in place: the newest run's link, the head commit (not the merge commit).
    expect(comment!.body).toContain('https://github.com/owner/repo/actions/runs/103');
    expect(comment!.body).toContain(`commit \`${HEAD_SHA.slice(0, 7)}\``);
    expect(github.requestsTo('issues/create-comment')).toHaveLength(1);
    expect(github.requestsTo('issues/update-comment').map((r) => r.status)).toEqual([200, 200]);
    expect(comment!.user.login).toBe('github-actions[bot]');

    const statuses = gateStatuses(github, repo);
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ state: 'success', description: 'Gate passed: 6 checks' });
    expect(github.statusesOn(repo, MERGE_SHA)).toEqual([]);
    const checks = github.checkRunsOn(repo, HEAD_SHA);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: CHECK, status: 'completed', conclusion: 'success' });
    expect(checks[0]!.output.summary).toContain('Gate passed');
    expect(github.checkRunsOn(repo, MERGE_SHA)).toEqual([]);

    const commentUrl = commentJson(github.url, comment!).html_url;
    expect(action.outputs()).toEqual({
      report: reportPath(),
      passed: 'true',
      'comment-url': commentUrl,
    });
    expect(commentUrl).toBe(
      `https://github.com/owner/repo/pull/${pr.number}#issuecomment-${comment!.id}`,
    );
    expect(statuses[0]!.targetUrl).toBe(commentUrl);

    const report = readReport();
    expect(report.baseline?.model.tag).toBe('credit-risk-v1.1.0');
    expect(report.baseline?.label).toBe('production credit-risk-v1.1.0');
    expect(report.baseline?.model.sha256).toBe(sha256(models.bytes.baseline));
    expect(report.candidate.sha256).toBe(sha256(readFileSync(models.candidate)));
    const direct = await evaluate({
      config: loadConfig(file),
      baseline: { path: models.baseline, label: 'production credit-risk-v1.1.0' },
    });
    expect(report.rows).toBe(300);
    expect(report.metrics).toEqual(direct.metrics);
    expect(report.fairness).toEqual(direct.fairness);
    expect(report.baseline?.metrics).toEqual(direct.baseline?.metrics);
    expect(report.gate).toEqual(direct.gate);
    expect(readFileSync(reportPath().replace(/\.json$/, '.md'), 'utf8')).toContain('Gate passed');

    expect(action.summary()).toContain('### ✅ Gate passed: 6 checks');
    expect(action.summary()).not.toContain('[!WARNING]');
    expect(warnings()).toEqual([]);
    expect(action.stdout()).toContain(`::add-mask::${process.env['INPUT_GITHUB-TOKEN']}`);
  });

  it('gives a second model on the same pull request its own comment and status', async () => {
    const { github, repo, pr } = setup();
    publishHistory(github, repo);
    project();
    // `credit` is a prefix of credit-risk: none of the credit-risk-v* releases is its baseline.
    project({ name: 'credit', file: 'credit.yml' });
    await run();
    action.clear();
    action.setInputs({ config: 'credit.yml' });
    await run();
    expect(action.outputs()).toMatchObject({ passed: 'true', report: reportPath('credit') });
    expect(readReport(reportPath('credit')).baseline).toBeNull();

    const comments = github.commentsOn(repo, pr.number);
    expect(comments.map((c) => c.body.split('\n')[0])).toEqual([
      MARKER,
      '<!-- modelship:evaluate/credit -->',
    ]);
    expect(comments[1]!.body).toContain(NO_BASELINE);
    // Without the models input each run sets the aggregate over its own model alone; pr.yml
    // passes the affected models (test/e2e/multiModelFlow.test.ts).
    expect(github.statusesOn(repo, HEAD_SHA).map((s) => s.context)).toEqual([
      STATUS,
      'modelship/gate',
      'modelship/gate (credit)',
      'modelship/gate',
    ]);
    expect(github.checkRunsOn(repo, HEAD_SHA).map((c) => c.name)).toEqual([
      CHECK,
      'Modelship gate (credit)',
    ]);
  });

  it('checks only absolute thresholds when there is no production release yet', async () => {
    const { github, repo, pr } = setup();
    project();
    await run();
    const report = readReport();
    expect(report.baseline).toBeNull();
    expect(report.gate.notes).toEqual([NO_BASELINE, FOREIGN_WORKER_UNGATED]);
    expect(report.gate.passed).toBe(true);
    expect(report.gate.checks.map((c) => c.rule)).not.toContain('max_regression');
    expect(report.gate.checks.map((c) => c.rule)).not.toContain('max_relative_regression');
    expect(action.outputs().passed).toBe('true');
    const [comment] = github.commentsOn(repo, pr.number);
    expect(comment!.body).toContain(NO_BASELINE);
    expect(comment!.body).toContain('no baseline');
    expect(action.summary()).toContain(NO_BASELINE);
    expect(gateStatuses(github, repo)).toMatchObject([{ state: 'success' }]);
  });

  it('refuses a report-path that is its holdout data, before any work, leaving it as it was', async () => {
    setup();
    project();
    const data = join(action.workspace(), 'holdout.csv');
    copyFileSync(EVAL_CSV, data);
    action.setInputs({ data, 'report-path': data });
    await expect(run()).rejects.toThrow(`report-path ${data}: is an input of this command`);
    expect(readFileSync(data)).toEqual(readFileSync(EVAL_CSV));
  });

  it('refuses a production model whose bytes no longer match SHA256SUMS', async () => {
    const { github, repo, pr } = setup();
    const { production } = publishHistory(github, repo);
    github.tamperAsset(production, 'model.onnx', Buffer.from(models.bytes.older));
    project();
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    const message = await failure.catch((error: Error) => error.message);
    expect(message).toMatch(
      /^model\.onnx of release credit-risk-v1\.1\.0 has SHA-256 [0-9a-f]{64} .* [0-9a-f]{64} in SHA256SUMS: .*republish the model\.$/,
    );
    expect(message).toContain(`${sha256(models.bytes.baseline)} in SHA256SUMS`);
    expect(message).not.toContain('\n');
    expect(github.commentsOn(repo, pr.number)).toEqual([]);
    expect(github.statusesOn(repo, HEAD_SHA)).toEqual([]);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toEqual([]);
    expect(action.outputs()).toEqual({});
  });

  it('fails the step on a failing gate, and reports it in the comment, status and check run', async () => {
    const { github, repo, pr } = setup();
    publishHistory(github, repo);
    project({ gate: FAILING_GATE });
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    await expect(failure).rejects.toThrow(
      /^The gate failed for credit-risk: roc_auc 0\.7658 < 0\.9500 \(min\)\.$/,
    );
    expect(action.outputs()).toMatchObject({ passed: 'false', report: reportPath() });
    expect(readReport().gate.passed).toBe(false);
    const [comment] = github.commentsOn(repo, pr.number);
    expect(comment!.body).toContain('Gate failed: 1 of 2 checks');
    expect(comment!.body).toContain('roc\\_auc 0.7658 &lt; 0.9500 \\(min\\)');
    const [status] = gateStatuses(github, repo);
    expect(status).toMatchObject({
      state: 'failure',
      description: 'Gate failed: roc_auc 0.7658 < 0.9500 (min)',
    });
    expect(github.checkRunsOn(repo, HEAD_SHA)).toMatchObject([{ conclusion: 'failure' }]);

    // fail-on-gate: false reports the failure without failing the step.
    action.clear();
    action.setInputs({ 'fail-on-gate': 'false' });
    await run();
    expect(action.outputs()).toEqual({
      report: reportPath(),
      passed: 'false',
      'comment-url': commentJson(github.url, comment!).html_url,
    });

    // A later run whose gate passes: the newest status wins, the comment and check run follow.
    action.clear();
    project();
    await run();
    expect(gateStatuses(github, repo).map((s) => s.state)).toEqual(['failure', 'success']);
    const comments = github.commentsOn(repo, pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Gate passed');
    expect(github.checkRunsOn(repo, HEAD_SHA)).toMatchObject([{ conclusion: 'success' }]);
  });

  it('degrades to the job summary on a fork pull request, with no 403', async () => {
    const { github, repo, pr } = setup({ fork: true });
    publishHistory(github, repo);
    project();
    await run();
    expect(github.commentsOn(repo, pr.number)).toEqual([]);
    expect(github.statusesOn(repo, HEAD_SHA)).toEqual([]);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toEqual([]);
    expect(forbidden(github)).toEqual([]);
    expect(action.outputs()).toEqual({ report: reportPath(), passed: 'true', 'comment-url': '' });
    // The baseline is still read with the read-only token.
    expect(readReport().baseline?.model.tag).toBe('credit-risk-v1.1.0');
    const summary = action.summary();
    expect(summary).toContain('comes from a fork');
    expect(summary).toContain('`workflow_run`');
    expect(summary).toContain('Gate passed');
    expect(action.stdout()).not.toMatch(/403/);
  });

  it('uploads the report as an artifact on a fork pull request, for the companion workflow', async () => {
    const service = await ResultsService.start();
    try {
      const { github, repo, pr } = setup({ fork: true });
      Object.assign(process.env, service.env());
      publishHistory(github, repo);
      project();
      await run();
      expect(github.commentsOn(repo, pr.number)).toEqual([]);
      expect(action.outputs()['report-artifact']).toBe('modelship-report-credit-risk');
      const artifact = service.artifacts.find((a) => a.name === 'modelship-report-credit-risk');
      const zip = readZip(await service.artifactBlob(artifact!));
      expect([...zip.keys()].sort()).toEqual([
        'evaluate-credit-risk.json',
        'evaluate-credit-risk.md',
      ]);
      expect(zip.get('evaluate-credit-risk.json')!.toString()).toBe(
        readFileSync(action.outputs().report!, 'utf8'),
      );
      expect(action.summary()).toContain('uploaded as the artifact');
      expect(service.violations).toEqual([]);
    } finally {
      for (const key of Object.keys(service.env())) delete process.env[key];
      await service.stop();
    }
  }, 60_000);

  it('comments on a fork pull request from the workflow_run companion, whose token can write', async () => {
    const { github, repo, pr } = setup({ fork: true, event: 'workflow_run' });
    publishHistory(github, repo);
    project();
    await run();
    // GitHub leaves workflow_run.pull_requests empty for forks: the PR is found by head label.
    expect(github.requestsTo('pulls/list')).toHaveLength(1);
    const comments = github.commentsOn(repo, pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('Gate passed');
    expect(gateStatuses(github, repo)).toMatchObject([{ state: 'success' }]);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toMatchObject([{ name: CHECK }]);
    expect(github.statusesOn(repo, DEFAULT_BRANCH_SHA)).toEqual([]);
    expect(action.summary()).not.toContain('comes from a fork');
    expect(action.outputs()['comment-url']).toBe(commentJson(github.url, comments[0]!).html_url);
  });

  it('re-evaluates a downloaded fork candidate as pr-comment.yml does: model input, default branch config', async () => {
    const { github, repo, pr } = setup({ fork: true, event: 'workflow_run' });
    publishHistory(github, repo);
    // The default branch's config names its own model.path; the fork's candidate comes from the
    // artifact the companion downloads outside the workspace.
    project({ model: join(action.workspace(), 'model.onnx') });
    const downloaded = join(action.runnerTemp(), 'candidate/model.onnx');
    mkdirSync(dirname(downloaded), { recursive: true });
    copyFileSync(models.candidate, downloaded);
    action.setInputs({ model: downloaded, 'fail-on-gate': 'false' });
    await run();
    expect(readReport().candidate.sha256).toBe(sha256(models.bytes.candidate));
    expect(readReport().baseline?.model.tag).toBe('credit-risk-v1.1.0');
    expect(github.commentsOn(repo, pr.number)).toHaveLength(1);
    expect(gateStatuses(github, repo)).toMatchObject([{ state: 'success' }]);
    expect(github.statusesOn(repo, DEFAULT_BRANCH_SHA)).toEqual([]);
  });

  it('sets the status on the workflow_run head, not the default branch, when the pull request is closed', async () => {
    const { github, repo, pr } = setup({ fork: true, event: 'workflow_run' });
    publishHistory(github, repo);
    project();
    pr.state = 'closed';
    await run();
    expect(github.commentsOn(repo, pr.number)).toEqual([]);
    expect(gateStatuses(github, repo)).toMatchObject([{ state: 'success' }]);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toMatchObject([{ name: CHECK }]);
    expect(github.statusesOn(repo, DEFAULT_BRANCH_SHA)).toEqual([]);
    expect(github.checkRunsOn(repo, DEFAULT_BRANCH_SHA)).toEqual([]);
  });

  it('says why a workflow_run re-evaluation fails when the candidate does not fit the default branch features', async () => {
    const { github, repo, pr } = setup({ fork: true, event: 'workflow_run' });
    publishHistory(github, repo);
    project();
    // A pull request that changed model.features trained a model of another width.
    action.setInputs({ model: models.narrow });
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    await expect(failure).rejects.toThrow(/inputs per row, but modelship\.yml features make/);
    await expect(failure).rejects.toThrow(/default branch's modelship\.yml.*maintainer/);
    expect(github.commentsOn(repo, pr.number)).toEqual([]);
    expect(github.statusesOn(repo, HEAD_SHA)).toEqual([]);
  });

  it('trims a report beyond the comment limit by sections; the job summary keeps all of it', async () => {
    const { github, repo, pr } = setup();
    // 1,200 rows with a sensitive attribute that is unique per row: a very long group table.
    const [header, ...rows] = readFileSync(EVAL_CSV, 'utf8').trimEnd().split('\n');
    const many = [`${header},applicant`];
    for (let copy = 0; copy < 4; copy++) {
      rows.forEach((row, i) => many.push(`${row},applicant-${copy * rows.length + i}`));
    }
    const data = join(dir, 'applicants.csv');
    writeFileSync(data, `${many.join('\n')}\n`);
    project({ evalData: data, sensitive: ['applicant'], gate: { ...PASSING_GATE, fairness: {} } });
    await run();
    const [comment] = github.commentsOn(repo, pr.number);
    const body = comment!.body;
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toContain("Parts of this report were left out to fit GitHub's comment limit.");
    expect(body).toContain('[Full report](https://github.com/owner/repo/actions/runs/9001)');
    // Trimmed by sections, not cut: the verdict, the metrics and the footer are all there.
    expect(body).toContain('Gate passed');
    expect(body).toContain('#### Metrics');
    expect(body.trimEnd().endsWith('Modelship</sub>')).toBe(true);
    expect(body).not.toContain('This report was trimmed');
    expect(body).not.toContain('applicant-1199');
    expect(action.summary()).toContain('`applicant-1199`');
    expect(github.checkRunsOn(repo, HEAD_SHA)[0]!.output.summary!.length).toBeLessThanOrEqual(
      65_535,
    );
  });

  it('sets the status but skips the check run without `checks: write`, and retries a 502', async () => {
    const { github, repo, pr } = setup({ writes: ['issues', 'pull-requests', 'statuses'] });
    publishHistory(github, repo);
    github.failNext('issues/create-comment', { kind: 'bad-gateway' });
    project();
    await run();
    expect(github.requestsTo('issues/create-comment').map((r) => r.status)).toEqual([502, 201]);
    expect(github.commentsOn(repo, pr.number)).toHaveLength(1);
    expect(gateStatuses(github, repo)).toMatchObject([{ state: 'success' }]);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toEqual([]);
    const note = 'The check run was not created: GitHub refused POST /repos/owner/repo/check-runs';
    expect(action.summary()).toContain(note);
    expect(action.summary()).toContain('`checks: write`');
    expect(warnings()).toEqual([expect.stringContaining(note)]);
    expect(action.outputs().passed).toBe('true');
  });
});

describe('evaluate run(): the baseline input', () => {
  it('none: no registry read, only absolute thresholds', async () => {
    const { github, repo } = setup();
    publishHistory(github, repo);
    project();
    action.setInputs({ baseline: 'none' });
    await run();
    expect(readReport().baseline).toBeNull();
    expect(readReport().gate.notes).toEqual([NO_BASELINE, FOREIGN_WORKER_UNGATED]);
    expect(github.requestsTo('repos/list-releases')).toEqual([]);
  });

  it('a path, relative to the working directory', async () => {
    setup();
    mkdirSync(join(action.workspace(), 'ml/prod'), { recursive: true });
    copyFileSync(models.older, join(action.workspace(), 'ml/prod/model.onnx'));
    project({ file: 'ml/modelship.yml' });
    action.setInputs({ 'working-directory': 'ml', baseline: 'prod/model.onnx' });
    await run();
    const report = readReport();
    expect(report.baseline?.label).toBe('prod/model.onnx');
    expect(report.baseline?.model.sha256).toBe(sha256(models.bytes.older));
    expect(report.baseline?.model.tag).toBeUndefined();

    action.setInputs({ baseline: 'prod/missing.onnx' });
    await expect(run()).rejects.toThrow(
      'baseline prod/missing.onnx: no such file or directory (relative paths start from the working directory); pass a release bundle directory, an ONNX file, production, a release tag <name>-v<semver>, or none.',
    );
  });

  it('a release tag: that release, verified', async () => {
    const { github, repo, pr } = setup();
    publishHistory(github, repo);
    project();
    action.setInputs({ baseline: 'credit-risk-v1.0.0' });
    await run();
    const report = readReport();
    expect(report.baseline?.model.tag).toBe('credit-risk-v1.0.0');
    expect(report.baseline?.label).toBe('credit-risk-v1.0.0');
    expect(report.baseline?.model.sha256).toBe(sha256(models.bytes.older));
    const [comment] = github.commentsOn(repo, pr.number);
    expect(comment!.body).toContain('against `credit-risk-v1.0.0`');

    action.setInputs({ baseline: 'credit-risk-v9.9.9' });
    await expect(run()).rejects.toThrow(
      'baseline credit-risk-v9.9.9: owner/repo has no published release credit-risk-v9.9.9.',
    );
    action.setInputs({ baseline: 'fraud-v1.0.0' });
    await expect(run()).rejects.toThrow(
      'baseline fraud-v1.0.0 is a release of fraud, not of credit-risk: name a release of credit-risk, such as credit-risk-v1.0.0.',
    );
  });

  it('production: the version deployed to production while a deployment of it is live', async () => {
    const { github, repo } = setup();
    publishHistory(github, repo);
    project();
    const octokit = clientFor(github, github.actionsToken());
    const target = { owner: repo.owner.login, repo: repo.name };
    const id = await createDeployment(octokit, target, {
      ref: 'credit-risk-v1.0.0',
      environment: 'production',
      description: 'credit-risk 1.0.0',
      payload: {
        image: 'ghcr.io/owner/credit-risk',
        digest: '',
        version: '1.0.0',
        model: 'credit-risk',
      },
    });
    const urls = { logUrl: 'https://ci.example/1', environmentUrl: 'https://models.example' };
    await setDeploymentStatus(octokit, target, id, {
      state: 'success',
      description: 'ok',
      ...urls,
    });
    action.setInputs({ baseline: 'production' });
    await run();
    expect(readReport().baseline?.label).toBe('production credit-risk-v1.0.0');
    expect(readReport().baseline?.model.sha256).toBe(sha256(models.bytes.older));
  });
});

describe('evaluate run(): data in the report', () => {
  it('renders a hostile group value inert in the posted comment', async () => {
    const { github, repo, pr } = setup();
    // A copy of the holdout where some rows carry a personal_status made to break out.
    const lines = readFileSync(EVAL_CSV, 'utf8').trimEnd().split('\n');
    const column = lines[0]!.split(',').indexOf('personal_status');
    const hostile = lines.map((line, i) => {
      if (i === 0 || i % 5 !== 0) return line;
      const fields = line.split(',');
      fields[column] = `"${IMG}"`;
      return fields.join(',');
    });
    const data = join(dir, 'hostile.csv');
    writeFileSync(data, `${hostile.join('\n')}\n`);
    project({ evalData: data });
    await run();
    expect(Object.keys(readReport().fairness.personal_status!.groups)).toContain(IMG);

    const [comment] = github.commentsOn(repo, pr.number);
    const body = comment!.body;
    const shown = '<img src=x onerror=alert(1)>¦@org/team';
    let seen = 0;
    for (const line of body.split('\n')) {
      const { text, code } = inlineParts(line);
      // Outside code spans: no HTML from the data, no live mention.
      expect(text, line).not.toContain('<img');
      expect(text, line).not.toMatch(new RegExp(`@(?!${ZWSP})`));
      // Inside: shown literally, its pipe unable to split a table cell.
      for (const span of code) if (span.includes('onerror')) expect(span).toBe(shown);
      seen += code.filter((span) => span === shown).length;
    }
    expect(seen).toBeGreaterThan(0);
    expect(body).not.toContain(IMG);

    // Every table keeps its header's column count.
    const rows = body.split('\n');
    let tables = 0;
    for (let i = 0; i < rows.length; i++) {
      if (!rows[i]!.startsWith('|') || rows[i - 1]?.startsWith('|')) continue;
      tables++;
      const columns = cellSeparators(rows[i]!);
      for (let j = i; j < rows.length && rows[j]!.startsWith('|'); j++) {
        expect(cellSeparators(rows[j]!), rows[j]).toBe(columns);
      }
    }
    expect(tables).toBeGreaterThanOrEqual(5);
  });
});
