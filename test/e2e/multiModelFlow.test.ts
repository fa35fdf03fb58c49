// The pull-request flow of a repository with two models, step by step as pr.yml runs it, against
// the GitHub fake: the affected step, then evaluate for each affected model (the matrix), then
// the concluding affected step; merge_group, the release's and the drift schedule's model lists.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as affected } from '../../src/actions/affected/main.js';
import { run as evaluate } from '../../src/actions/evaluate/main.js';
import { run as drift } from '../../src/actions/drift-check/main.js';
import { run as gate } from '../../src/actions/gate/main.js';
import { run as publish } from '../../src/actions/publish-model/main.js';
import { HEAD_SHA, MERGE_SHA, OWNER, REPO, useActionRun } from '../support/actionRunner.js';
import {
  EVAL_CSV,
  ROOT,
  FAILING_GATE,
  PASSING_GATE,
  TRAIN_CSV,
  trainModels,
  writeProject,
} from '../support/evaluateProject.js';
import type { FakeRepo } from '../support/github/fakeEntities.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';
import { zip } from '../support/artifactZip.js';

const { fake } = useGitHubFake();
const action = useActionRun({});

/** What the runner passes from actions/<action>/action.yml's defaults (not the token's). */
function defaultsOf(action: string): Record<string, string> {
  const manifest = parse(readFileSync(join(ROOT, 'actions', action, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.inputs)
      .filter(([name]) => !name.endsWith('-token'))
      .map(([name, input]) => [name.toUpperCase(), String(input.default ?? '')]),
  );
}
const AGGREGATE = 'modelship/gate';
// Metrics only: the fairness rules are evaluateAction.test.ts's to check.
const PASSING = { metrics: PASSING_GATE.metrics, fairness: {} };
const MERGE_GROUP_SHA = 'c0ffee00'.repeat(5);

let scratch: string;
let candidate: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'modelship-multi-'));
  candidate = (await trainModels(join(scratch, 'models'))).candidate;
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function git(...args: string[]): string {
  const result = spawnSync('git', args, { cwd: action.workspace(), encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(action.workspace(), path)), { recursive: true });
    writeFileSync(join(action.workspace(), path), text);
  }
}

function commit(message: string): string {
  git('add', '-A');
  git('commit', '-q', '-m', message);
  return git('rev-parse', 'HEAD');
}

/**
 * The workspace as a git repository with two models, alpha and beta (beta's gate `betaGate`),
 * and lib/ shared by both; returns the base commit a pull request starts from.
 */
function twoModels(betaGate = PASSING): string {
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  for (const [name, gate] of [
    ['alpha', PASSING],
    ['beta', betaGate],
  ] as const) {
    writeProject(join(action.workspace(), 'models', name), { name, model: candidate, gate });
    write({ [`models/${name}/train.py`]: `# trains ${name}\n` });
  }
  write({
    'modelship.workspace.yml': 'shared: [lib/**]\n',
    'lib/features.py': '# shared feature code\n',
    'README.md': '# two models\n',
  });
  return commit('two models');
}

/** GITHUB_* and the event file of a run on owner/repo; returns the repository on the fake. */
function runOf(github: GitHubFake, event: string, payload: object, sha: string): FakeRepo {
  const repo = github.repoState(OWNER, REPO)?.repo ?? github.addRepo(OWNER, REPO);
  const eventPath = join(action.runnerTemp(), 'event.json');
  const full = { id: repo.id, name: REPO, full_name: `${OWNER}/${REPO}`, owner: { login: OWNER } };
  writeFileSync(eventPath, JSON.stringify({ ...payload, repository: full }));
  Object.assign(process.env, {
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: event,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_SHA: sha,
    GITHUB_RUN_ID: '4242',
    MODELSHIP_GITHUB_PACE_WRITES: 'false',
    'INPUT_GITHUB-TOKEN': github.actionsToken({
      writes: ['statuses', 'checks', 'pull-requests', 'contents'],
    }),
  });
  return repo;
}

/** A pull_request run of PR 1 (head HEAD_SHA, GITHUB_SHA the merge commit) from `base`. */
function pullRequest(github: GitHubFake, base: string): FakeRepo {
  const repo = runOf(github, 'pull_request', {}, MERGE_SHA);
  const pr = github.addPullRequest(repo, {
    author: 'alice',
    head: { repo, ref: 'change', sha: HEAD_SHA },
  });
  const full = { full_name: `${OWNER}/${REPO}` };
  runOf(
    github,
    'pull_request',
    {
      action: 'synchronize',
      number: pr.number,
      pull_request: {
        number: pr.number,
        head: { ref: 'change', sha: HEAD_SHA, repo: full },
        base: { ref: 'main', sha: base, repo: full },
      },
    },
    MERGE_SHA,
  );
  return repo;
}

/** Runs one step's run() with its action.yml defaults and `inputs`, as a job step would. */
async function step(
  runStep: () => Promise<void>,
  defaults: Record<string, string>,
  inputs: Record<string, string>,
): Promise<Record<string, string>> {
  for (const key of Object.keys(process.env))
    if (key.startsWith('INPUT_') && key !== 'INPUT_GITHUB-TOKEN') delete process.env[key];
  action.clear();
  action.setInputs({ ...defaults, ...inputs });
  await runStep();
  return action.outputs();
}

const affectedStep = (inputs: Record<string, string> = {}) =>
  step(affected, defaultsOf('affected'), inputs);

/** The PR flow's matrix: evaluate for each model of the affected step's matrix output. */
async function evaluateMatrix(outputs: Record<string, string>): Promise<string[]> {
  const failures: string[] = [];
  for (const { config } of JSON.parse(outputs.matrix!) as { config: string }[]) {
    await step(evaluate, defaultsOf('evaluate'), {
      config,
      baseline: 'none',
      models: outputs.models!,
    }).catch((error: Error) => failures.push(error.message));
  }
  return failures;
}

const statuses = (github: GitHubFake, repo: FakeRepo, context: string, sha = HEAD_SHA) =>
  github
    .statusesOn(repo, sha)
    .filter((s) => s.context === context)
    .map((s) => [s.state, s.description]);
const aggregate = (github: GitHubFake, repo: FakeRepo, sha = HEAD_SHA) =>
  statuses(github, repo, AGGREGATE, sha);

describe('a pull request in a repository with two models', () => {
  it('that touches only alpha: only alpha evaluates, modelship/gate passes, beta is untouched', async () => {
    const github = fake();
    const base = twoModels();
    write({ 'models/alpha/train.py': '# trains alpha better\n' });
    commit('alpha');
    const repo = pullRequest(github, base);

    const outputs = await affectedStep();
    expect(outputs).toEqual({
      models: '["alpha"]',
      matrix: JSON.stringify([
        { name: 'alpha', config: 'models/alpha/modelship.yml', directory: 'models/alpha' },
      ]),
      any: 'true',
      count: '1',
    });
    expect(action.summary()).toContain('models/alpha/train.py changed');
    expect(aggregate(github, repo)).toEqual([['pending', 'Waiting for alpha (0 of 1 model in)']]);

    expect(await evaluateMatrix(outputs)).toEqual([]);
    await affectedStep({ models: outputs.models!, conclude: 'true' });
    expect(aggregate(github, repo)).toEqual([
      ['pending', 'Waiting for alpha (0 of 1 model in)'],
      ['success', 'All 1 model passed: alpha'],
    ]);
    expect(statuses(github, repo, 'modelship/gate (alpha)').map(([state]) => state)).toEqual([
      'success',
    ]);
    expect(statuses(github, repo, 'modelship/gate (beta)')).toEqual([]);
    const comments = github.commentsOn(repo, 1);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain('evaluate/alpha');
    // Nothing lands on the merge commit the run checked out.
    expect(github.statusesOn(repo, MERGE_SHA)).toEqual([]);
  });

  it('that touches shared code: both evaluate, and the aggregate waits for both and fails with beta', async () => {
    const github = fake();
    const base = twoModels(FAILING_GATE);
    write({ 'lib/features.py': '# shared feature code, changed\n' });
    commit('shared');
    const repo = pullRequest(github, base);

    const outputs = await affectedStep();
    expect(JSON.parse(outputs.models!)).toEqual(['alpha', 'beta']);
    const [alpha, beta] = JSON.parse(outputs.matrix!) as { config: string }[];
    await step(evaluate, defaultsOf('evaluate'), {
      config: alpha!.config,
      baseline: 'none',
      models: outputs.models!,
    });
    expect(aggregate(github, repo).at(-1)).toEqual([
      'pending',
      'Waiting for beta (1 of 2 models in)',
    ]);
    await expect(
      step(evaluate, defaultsOf('evaluate'), {
        config: beta!.config,
        baseline: 'none',
        models: outputs.models!,
      }),
    ).rejects.toThrow(/^The gate failed for beta: roc_auc/);
    await affectedStep({ models: outputs.models!, conclude: 'true' });
    expect(aggregate(github, repo)).toEqual([
      ['pending', 'Waiting for alpha, beta (0 of 2 models in)'],
      ['pending', 'Waiting for beta (1 of 2 models in)'],
      ['failure', 'The gate failed for beta (1 of 2 models)'],
    ]);
    expect(github.commentsOn(repo, 1).map((c) => c.body.split('\n')[0])).toEqual([
      '<!-- modelship:evaluate/alpha -->',
      '<!-- modelship:evaluate/beta -->',
    ]);

    // A re-run of the whole flow writes no status and no comment a second time.
    const before = github.statusesOn(repo, HEAD_SHA).length;
    const again = await affectedStep();
    expect(await evaluateMatrix(again)).toEqual([
      expect.stringMatching(/^The gate failed for beta/),
    ]);
    await affectedStep({ models: again.models!, conclude: 'true' });
    expect(github.statusesOn(repo, HEAD_SHA)).toHaveLength(before);
    expect(github.commentsOn(repo, 1)).toHaveLength(2);
  });

  it('whose model job never reported (training failed): the concluding step fails the aggregate', async () => {
    const github = fake();
    const base = twoModels();
    write({ 'lib/features.py': '# changed\n' });
    commit('shared');
    const repo = pullRequest(github, base);
    const outputs = await affectedStep();
    // beta's train job failed: only alpha reached evaluate.
    const [alpha] = JSON.parse(outputs.matrix!) as { config: string }[];
    await step(evaluate, defaultsOf('evaluate'), {
      config: alpha!.config,
      baseline: 'none',
      models: outputs.models!,
    });
    await affectedStep({ models: outputs.models!, conclude: 'true' });
    expect(aggregate(github, repo).at(-1)).toEqual([
      'failure',
      'No gate from beta: its run failed or was cancelled',
    ]);
  });

  it('that touches neither model: the aggregate is a success at once, and nothing runs', async () => {
    const github = fake();
    const base = twoModels();
    write({ 'README.md': '# two models, documented\n' });
    commit('docs');
    const repo = pullRequest(github, base);
    const outputs = await affectedStep();
    expect(outputs).toMatchObject({ models: '[]', matrix: '[]', any: 'false', count: '0' });
    expect(aggregate(github, repo)).toEqual([
      ['success', 'No model is affected by this change: nothing to gate'],
    ]);
    expect(action.summary()).toContain('### 0 of 2 models affected');
    // The concluding step (its job runs whatever the matrix did) leaves it as it is.
    await affectedStep({ models: outputs.models!, conclude: 'true' });
    expect(aggregate(github, repo)).toHaveLength(1);
  });

  it('gate, given the affected models, updates the aggregate too', async () => {
    const github = fake();
    const base = twoModels();
    write({ 'models/beta/train.py': '# changed\n' });
    commit('beta');
    const repo = pullRequest(github, base);
    const outputs = await affectedStep();
    const report = join(action.workspace(), 'report.json');
    writeFileSync(
      report,
      JSON.stringify({ metrics: { roc_auc: 0.8, log_loss: 0.5, accuracy: 0.75 }, fairness: {} }),
    );
    writeProject(join(action.workspace(), 'models', 'beta'), {
      name: 'beta',
      model: candidate,
      gate: { metrics: PASSING_GATE.metrics, fairness: {} },
    });
    await step(gate, defaultsOf('gate'), {
      config: 'models/beta/modelship.yml',
      report,
      models: outputs.models!,
    });
    expect(aggregate(github, repo).at(-1)).toEqual(['success', 'All 1 model passed: beta']);
  });
});

describe('the merge queue, the release and the drift schedule', () => {
  it('merge_group: the status lands on the group’s head commit', async () => {
    const github = fake();
    const base = twoModels();
    write({ 'models/beta/train.py': '# trains beta better\n' });
    commit('beta');
    const repo = runOf(
      github,
      'merge_group',
      {
        action: 'checks_requested',
        merge_group: {
          head_sha: MERGE_GROUP_SHA,
          base_sha: base,
          head_ref: 'gh-readonly-queue/main/pr-1',
        },
      },
      MERGE_GROUP_SHA,
    );
    const outputs = await affectedStep();
    expect(outputs.models).toBe('["beta"]');
    expect(await evaluateMatrix(outputs)).toEqual([]);
    expect(aggregate(github, repo, MERGE_GROUP_SHA).at(-1)).toEqual([
      'success',
      'All 1 model passed: beta',
    ]);
    expect(statuses(github, repo, 'modelship/gate (beta)', MERGE_GROUP_SHA)[0]?.[0]).toBe(
      'success',
    );
    expect(github.statusesOn(repo, HEAD_SHA)).toEqual([]);
  });

  it('the merge’s push publishes only the model it affected, from its own candidate artifact', async () => {
    const github = fake();
    const base = twoModels();
    write({ 'models/alpha/train.py': '# merged\n' });
    const merged = commit('merge alpha');
    const repo = runOf(
      github,
      'push',
      { ref: 'refs/heads/main', before: base, after: merged, head_commit: { id: merged } },
      merged,
    );
    // The merged pull request's evaluated run left a candidate for each model it trained.
    github.addPullRequest(repo, {
      author: 'alice',
      head: { ref: 'change', sha: HEAD_SHA },
      mergeCommitSha: merged,
    });
    const model = readFileSync(candidate);
    github.addWorkflowRun(repo, {
      headSha: HEAD_SHA,
      artifacts: {
        'candidate-alpha': zip({ 'out/model.onnx': model, 'out/metrics.json': '{}' }),
        'candidate-beta': zip({ 'out/model.onnx': model, 'out/metrics.json': '{}' }),
      },
    });
    const outputs = await affectedStep({ status: 'false' });
    const matrix = JSON.parse(outputs.matrix!) as { name: string; config: string }[];
    expect(matrix).toEqual([
      { name: 'alpha', config: 'models/alpha/modelship.yml', directory: 'models/alpha' },
    ]);
    // release.yml's publish job, one leg per affected model.
    for (const { config } of matrix) await step(publish, defaultsOf('publish-model'), { config });
    expect(github.releasesOf(repo).map((r) => r.tag)).toEqual(['alpha-v1.0.0']);
    expect(github.statusesOn(repo, merged)).toEqual([]);
  });

  it('the drift schedule lists every model; a run with no base says what to set', async () => {
    const github = fake();
    twoModels();
    runOf(github, 'schedule', { schedule: '17 6 * * 1' }, git('rev-parse', 'HEAD'));
    const outputs = await affectedStep({ all: 'true', status: 'false' });
    expect(JSON.parse(outputs.models!)).toEqual(['alpha', 'beta']);
    // drift.yml's drift-check job, one leg per model: each against its own reference.
    const checked: string[] = [];
    for (const { config } of JSON.parse(outputs.matrix!) as { config: string }[]) {
      const result = await step(drift, defaultsOf('drift-check'), {
        config,
        current: EVAL_CSV,
        reference: TRAIN_CSV,
        'open-issue': 'false',
        'open-pr': 'false',
      });
      checked.push(result.report!);
      expect(result.drifted).toBe('false');
    }
    // Each model's own report: the holdout against the training rows, 300 against 700.
    expect(
      checked.map((path) => {
        const report = JSON.parse(readFileSync(path, 'utf8'));
        return [report.current.rows, report.reference.rows];
      }),
    ).toEqual([
      [300, 700],
      [300, 700],
    ]);
    expect(new Set(checked).size).toBe(2);
    await expect(affectedStep({ status: 'false' })).rejects.toThrow(
      'affected needs the commit the change starts from, and a schedule run has none: set the base input, or all: true to list every model.',
    );
  });
});
