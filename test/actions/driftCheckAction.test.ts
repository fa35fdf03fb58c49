// The drift-check action's run() in process against the GitHub fake, on the credit-risk example:
// data/eval.csv is the reference, data/current.csv the shifted current data; real DuckDB and
// onnxruntime compute the drift, and a production release seeded with the real bundle builder
// carries profile.json, model.onnx and metrics.json.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/actions/drift-check/main.js';
import { runAction } from '../../src/actions/runAction.js';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { writeReleaseBundle } from '../../src/core/release/bundle.js';
import { sha256sums } from '../../src/core/release/checksums.js';
import { OWNER, REPO, pullRequestRun, useActionRun } from '../support/actionRunner.js';
import { EVAL_CSV, EXAMPLE, trainModel, writeProject } from '../support/evaluateProject.js';
import type { FakeRepo } from '../support/github/fakeEntities.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';
import { scheduledRunEnv } from '../support/scheduledRun.js';

const { fake } = useGitHubFake();
const action = useActionRun({
  // What the runner passes from actions/drift-check/action.yml's defaults.
  CURRENT: '',
  REFERENCE: 'production',
  'OPEN-ISSUE': 'true',
  'OPEN-PR': 'true',
  'FAIL-ON-DRIFT': 'false',
  'REPORT-PATH': '',
  CONFIG: 'modelship.yml',
  'WORKING-DIRECTORY': '.',
  'WORKFLOW-TOKEN': '',
});

const CURRENT_CSV = join(EXAMPLE, 'data/current.csv');
const BRANCH = 'heads/modelship/retrain-credit-risk';

let dir: string;
let model: string;
let bundleDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelship-drift-action-'));
  model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  // The production bundle, profiled on the holdout (data.train), as publish-model writes it.
  const config = writeProject(join(dir, 'release'), { model });
  const yaml = parse(readFileSync(config, 'utf8')) as { data: Record<string, string> };
  yaml.data.train = EVAL_CSV;
  writeFileSync(config, stringify(yaml));
  bundleDir = join(dir, 'bundle');
  await writeReleaseBundle({ loaded: loadConfig(config), out: bundleDir, model, version: '1.0.0' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * modelship.yml in the workspace: the example's model, data.current the shifted holdout, and the
 * columns a team would watch (current.csv shifts 4 of the 21: over all of them, a share of 0.19).
 */
function project(): void {
  const file = writeProject(action.workspace(), { model });
  const config = parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
  config.data!.current = CURRENT_CSV;
  config.drift = {
    method: 'auto',
    share: 0.5,
    columns: ['duration', 'credit_amount', 'age', 'checking_status', 'savings_status', 'housing'],
  };
  writeFileSync(file, stringify(config));
}

/** owner/repo on the fake and the GITHUB_* of a scheduled run with `token`. */
function scheduledRun(github: GitHubFake, token: string, runId = 501): FakeRepo {
  const repo = github.repoState(OWNER, REPO)?.repo ?? github.addRepo(OWNER, REPO);
  scheduledRunEnv(github, { token, runId, runnerTemp: action.runnerTemp() });
  return repo;
}

function seedProduction(
  github: GitHubFake,
  repo: FakeRepo,
  change: (assets: Record<string, Buffer>) => void = () => {},
): void {
  const assets = Object.fromEntries(
    readdirSync(bundleDir).map((name) => [name, readFileSync(join(bundleDir, name))]),
  );
  change(assets);
  github.addRelease(repo, { tag: 'credit-risk-v1.0.0', assets });
}

/** A release packaged before profiles held the model's scores: profile.json without them. */
function withoutProfileScores(assets: Record<string, Buffer>): void {
  const profile = JSON.parse(assets['profile.json']!.toString()) as Record<string, unknown>;
  delete profile.prediction;
  assets['profile.json'] = Buffer.from(JSON.stringify(profile));
  const files = Object.entries(assets)
    .filter(([name]) => name !== 'SHA256SUMS')
    .map(([name, bytes]) => ({ name, sha256: createHash('sha256').update(bytes).digest('hex') }));
  assets.SHA256SUMS = Buffer.from(sha256sums(files));
}

/** A scheduled run with a personal token (unless given), the project, eval.csv as reference. */
function start(token?: (github: GitHubFake) => string) {
  const github = fake();
  const used = token ? token(github) : github.userToken('mlops-bot');
  const repo = scheduledRun(github, used);
  project();
  action.setInputs({ reference: EVAL_CSV });
  return { github, token: used, repo };
}

async function runAgain(github: GitHubFake, token: string, runId: number): Promise<void> {
  action.clear();
  scheduledRun(github, token, runId);
  await run();
}

describe('drift-check action', () => {
  it('three drifted runs against production: one issue, one PR, updated each run', async () => {
    const github = fake();
    const token = github.userToken('mlops-bot');
    const repo = scheduledRun(github, token);
    seedProduction(github, repo);
    project();

    await run();
    const first = action.outputs();
    expect(first).toMatchObject({ drifted: 'true', 'issue-number': '1', 'pr-number': '2' });
    expect(Number(first['drift-share'])).toBeGreaterThanOrEqual(0.5);
    const report = JSON.parse(readFileSync(first.report!, 'utf8')) as Record<string, unknown>;
    expect(report).toMatchObject({ dataset_drift: true, reference: { kind: 'profile' } });
    expect(action.summary()).toContain('## Modelship · drift-check `credit-risk`');
    expect(action.summary()).toContain('production credit-risk-v1.0.0');
    const refs = [github.gitOf(repo).refs.get(BRANCH)];

    await runAgain(github, token, 502);
    refs.push(github.gitOf(repo).refs.get(BRANCH));
    await runAgain(github, token, 503);
    refs.push(github.gitOf(repo).refs.get(BRANCH));
    expect(action.outputs()).toMatchObject({ 'issue-number': '1', 'pr-number': '2' });

    const [issue, ...moreIssues] = github.issuesOf(repo);
    expect(moreIssues).toEqual([]);
    expect(issue!.labels).toEqual(['modelship:drift']);
    expect(issue!.body).toContain('actions/runs/503');
    expect(issue!.body).toContain('**Retraining PR:** #2');
    expect(issue!.body!.length).toBeLessThanOrEqual(65_536);
    expect(github.commentsOn(repo, 1).map((c) => c.body)).toEqual([
      expect.stringContaining('actions/runs/502'),
      expect.stringContaining('actions/runs/503'),
    ]);
    const [pull, ...morePulls] = github.pullsOf(repo);
    expect(morePulls).toEqual([]);
    expect(pull!.body).toContain('Closes #1');
    expect(pull!.body).toContain('actions/runs/503');
    expect(new Set(refs).size).toBe(3);
    const file = JSON.parse(
      github.gitOf(repo).fileAt(BRANCH, '.modelship/retrain-credit-risk.json')!,
    ) as Record<string, unknown>;
    expect(file).toMatchObject({
      model: 'credit-risk',
      issue: 1,
      dataset_drift: true,
      reference: { label: 'production credit-risk-v1.0.0' },
      current: { label: CURRENT_CSV, rows: 300 },
    });
    expect(github.requestsTo('issues/create-label')).toHaveLength(1);
    // A personal token: no notice about the workflow token.
    expect(action.summary()).not.toContain('[!IMPORTANT]');
  });

  it("reads the score range from the release's holdout predictions when its profile has no scores", async () => {
    const github = fake();
    const repo = scheduledRun(github, github.userToken('mlops-bot'));
    seedProduction(github, repo, withoutProfileScores);
    project();
    await run();
    const report = JSON.parse(readFileSync(action.outputs().report!, 'utf8')) as {
      notes: string[];
      prediction: { extreme_outputs: { range: { min: number; max: number }; rows: number } };
    };
    const smoke = JSON.parse(readFileSync(join(bundleDir, 'smoke-test.json'), 'utf8')) as {
      expected: { probabilities: number[] };
    };
    const recorded = smoke.expected.probabilities;
    expect(report.prediction.extreme_outputs).toMatchObject({
      range: { min: Math.min(...recorded), max: Math.max(...recorded) },
      rows: 300,
    });
    expect(report.notes).toContain(
      `The release profile holds no model scores: prediction drift and the range of extreme outputs use the ${recorded.length} holdout predictions of its smoke-test.json instead.`,
    );
  });

  it('opens a new issue after the drift issue was closed', async () => {
    const { github, token, repo } = start();
    await run();
    github.closeIssue(repo, 1);
    await runAgain(github, token, 502);

    expect(action.outputs()['issue-number']).toBe('3');
    expect(github.issuesOf(repo).map((i) => [i.number, i.state])).toEqual([
      [1, 'closed'],
      [3, 'open'],
    ]);
    expect(github.pullsOf(repo)).toHaveLength(1);
  });

  it('a clean run comments its figures on the open drift issue, closes it and opens nothing', async () => {
    const { github, token, repo } = start();
    await run();
    const sha = github.gitOf(repo).refs.get(BRANCH);

    // The holdout against itself: no drift.
    action.setInputs({ current: EVAL_CSV });
    await runAgain(github, token, 502);
    expect(action.outputs()).toMatchObject({
      drifted: 'false',
      'issue-number': '1',
      'pr-number': '',
    });
    expect(github.issuesOf(repo)).toHaveLength(1);
    expect(github.pullsOf(repo)).toHaveLength(1);
    expect(github.gitOf(repo).refs.get(BRANCH)).toBe(sha);
    const comments = github.commentsOn(repo, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(`✅ Clean: \`${EVAL_CSV}\` against \`${EVAL_CSV}\`:`);
    expect(comments[0]!.body).toContain('Closing this issue.');
    expect(github.issuesOf(repo)[0]!.state).toBe('closed');
    expect(action.summary()).toContain('no drift');
    expect(action.summary()).toContain('closed (clean check)');
  });

  it('a clean run with no open drift issue writes nothing', async () => {
    const { github, repo } = start();
    action.setInputs({ current: EVAL_CSV });
    await run();
    expect(action.outputs()).toMatchObject({ drifted: 'false', 'issue-number': '' });
    expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(github.labelsOf(repo)).toEqual([]);
  });

  it('refuses a report-path that is its current data, before any work, leaving it as it was', async () => {
    start();
    const current = join(action.workspace(), 'current.csv');
    writeFileSync(current, readFileSync(join(EXAMPLE, 'data/current.csv')));
    action.setInputs({ current, 'report-path': current });
    await expect(run()).rejects.toThrow(`report-path ${current}: is an input of this command`);
    expect(readFileSync(current)).toEqual(readFileSync(join(EXAMPLE, 'data/current.csv')));
  });

  it('creates the label only when missing', async () => {
    const { github, token, repo } = start();
    await run();
    await runAgain(github, token, 502);
    expect(github.labelsOf(repo)).toEqual([
      expect.objectContaining({ name: 'modelship:drift', color: 'd93f0b' }),
    ]);
    expect(github.requestsTo('issues/create-label')).toHaveLength(1);
    expect(github.requestsTo('issues/get-label')).toHaveLength(2);
  });

  it('with the workflow’s own token, says in the summary and the PR how to run the PR flow', async () => {
    const { github, token, repo } = start((g) => g.actionsToken());
    action.setInputs({ 'workflow-token': token });
    await run();
    expect(action.summary()).toContain('> [!IMPORTANT]');
    expect(action.summary()).toContain('actions/create-github-app-token');
    expect(github.pullsOf(repo)[0]!.body).toContain('actions/create-github-app-token');
    // Masked: the token never reaches the log.
    expect(action.stdout()).toContain(`::add-mask::${token}`);
  });

  it('fails with one sentence naming the GitHub call, through runAction', async () => {
    const { github } = start();
    github.failNext('pulls/create', { kind: 'bad-gateway' }, 4);
    const saved = process.exitCode;
    try {
      await runAction(run);
      expect(process.exitCode).toBe(1);
    } finally {
      process.exitCode = saved;
    }
    const errors = action.stdout().match(/^::error::.*$/gm) ?? [];
    expect(errors).toEqual([
      expect.stringMatching(
        /^::error::GitHub failed on POST \/repos\/owner\/repo\/pulls \(502 Server Error\) after retries: .*\.$/,
      ),
    ]);
    expect(action.summary()).toContain('did not finish');
  });

  it('on a fork’s pull request (read-only token), reports in the job summary and writes nothing', async () => {
    const github = fake();
    pullRequestRun(github, { token: github.actionsToken({ readOnly: true }), fork: true });
    project();
    action.setInputs({ reference: EVAL_CSV });
    await run();
    expect(action.outputs()).toMatchObject({
      drifted: 'true',
      'issue-number': '',
      'pr-number': '',
    });
    expect(action.summary()).toMatch(/\[!WARNING\]\n> This run comes from a fork's pull request/);
    expect(github.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it("escapes GitHub's refusal in the job summary's note", async () => {
    const { github } = start();
    github.failNext('issues/create-label', {
      kind: 'forbidden',
      message: 'Refused <img src=x onerror=alert(1)> for @org/team',
    });
    await run();
    const summary = action.summary();
    expect(summary).toMatch(/\[!WARNING\]\n> The drift issue was not written: /);
    expect(summary).toContain('&lt;img src=x onerror=alert\\(1\\)&gt; for @\u200borg/team');
    expect(summary).not.toContain('<img');
  });

  it('fails on drift with fail-on-drift, after writing the issue and outputs', async () => {
    const { github, repo } = start();
    action.setInputs({ 'fail-on-drift': 'true', 'open-pr': 'false' });
    await expect(run()).rejects.toThrow(
      /^Drift detected for credit-risk: .* fail-on-drift is on\.$/,
    );
    expect(action.outputs()).toMatchObject({
      drifted: 'true',
      'issue-number': '1',
      'pr-number': '',
    });
    expect(github.pullsOf(repo)).toEqual([]);
  });

  it('refuses a bad flag and a missing production release with one sentence each', async () => {
    start();
    action.setInputs({ reference: 'production', 'open-pr': 'maybe' });
    await expect(run()).rejects.toThrow('input open-pr is "maybe"; expected true or false.');
    action.setInputs({ 'open-pr': 'true', environment: 'prod <b>@team</b>' });
    await expect(run()).rejects.toThrow(
      /^input environment is "prod <b>@team<\/b>"; expected an environment name/,
    );
    action.setInputs({ environment: 'production' });
    await expect(run()).rejects.toThrow(
      /^reference production: credit-risk has no published release in owner\/repo yet; .*\.$/,
    );
  });
});
