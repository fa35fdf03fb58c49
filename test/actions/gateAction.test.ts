// The gate action's run() in process against the GitHub fake, on an evaluate report (made with
// real onnxruntime and DuckDB) and on a training script's bare `{ metrics }`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/actions/gate/main.js';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import type { EvaluationReport } from '../../src/core/evaluation/evaluationReport.js';
import { evaluate } from '../../src/core/evaluation/evaluate.js';
import { ModelshipError } from '../../src/core/errors.js';
import { escapeMarkdown } from '../../src/core/report/markdownEscape.js';
import {
  DEFAULT_BRANCH_SHA,
  HEAD_SHA,
  MERGE_SHA,
  pullRequestRun,
  useActionRun,
  type RunEvent,
} from '../support/actionRunner.js';
import {
  FAILING_GATE,
  PASSING_GATE,
  trainModels,
  writeProject,
} from '../support/evaluateProject.js';
import type { FakeRepo } from '../support/github/fakeEntities.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { useGitHubFake } from '../support/github/useGitHubFake.js';

const { fake } = useGitHubFake();
// What the runner passes from actions/gate/action.yml's defaults (report is required).
const action = useActionRun({
  CONFIG: 'modelship.yml',
  'WORKING-DIRECTORY': '.',
  'FAIL-ON-GATE': 'true',
});

const STATUS = 'modelship/gate (credit-risk)';
const CHECK = 'Modelship gate (credit-risk)';
const NO_BASELINE = 'no production model yet: only absolute thresholds were checked';
const METRICS_ONLY = { metrics: PASSING_GATE.metrics, fairness: {} };

let dir: string;
let candidate: string;
let evaluation: EvaluationReport;
/** What a training script writes beside its model (examples/credit-risk/train.mjs). */
const trainingMetrics = {
  split: 'train',
  rows: 700,
  metrics: { accuracy: 0.7586, roc_auc: 0.7894, log_loss: 0.4922, brier: 0.1614 },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modelship-gate-action-'));
  const models = await trainModels(join(dir, 'models'));
  candidate = models.candidate;
  const config = loadConfig(writeProject(dir, { model: candidate }));
  evaluation = await evaluate({
    config,
    baseline: { path: models.baseline, label: 'production credit-risk-v1.1.0' },
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(options: { fork?: boolean; event?: RunEvent } = {}) {
  const github = fake();
  const token =
    options.fork && options.event !== 'workflow_run'
      ? github.actionsToken({ readOnly: true })
      : github.actionsToken({ writes: ['statuses', 'checks'] });
  return { github, ...pullRequestRun(github, { token, ...options }) };
}

/** The workspace's modelship.yml with `gate`, and `report` written to reports/<name>. */
function project(gate: typeof PASSING_GATE, report: unknown, name = 'report.json'): void {
  writeProject(action.workspace(), { model: candidate, gate });
  const reports = join(action.workspace(), 'reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(join(reports, name), JSON.stringify(report));
  action.setInputs({ report: `reports/${name}` });
}

const gateStatuses = (github: GitHubFake, repo: FakeRepo, sha = HEAD_SHA) =>
  github.statusesOn(repo, sha).filter((s) => s.context === STATUS);

describe('gate run()', () => {
  it("applies the config's gate to an evaluate report and sets status and check run on the PR head", async () => {
    const { github, repo } = setup();
    project(PASSING_GATE, evaluation);
    await run();
    expect(action.outputs()).toEqual({ passed: 'true' });
    expect(gateStatuses(github, repo)).toMatchObject([
      { state: 'success', description: 'Gate passed: 6 checks' },
    ]);
    expect(github.statusesOn(repo, MERGE_SHA)).toEqual([]);
    const checks = github.checkRunsOn(repo, HEAD_SHA);
    expect(checks).toMatchObject([{ name: CHECK, conclusion: 'success' }]);
    // The same checks as evaluate made, the baseline's values included.
    const summary = action.summary();
    expect(summary).toContain('### ✅ Gate passed: 6 checks');
    for (const check of evaluation.gate.checks) {
      expect(summary).toContain(escapeMarkdown(check.message));
    }
    expect(summary).toContain('regressed by 0.0088 \\(0.7746 → 0.7658\\)');
    expect(checks[0]!.output.summary).toContain('Gate passed');

    // A re-run with the same outcome writes no second status.
    action.clear();
    await run();
    expect(gateStatuses(github, repo)).toHaveLength(1);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toHaveLength(1);
  });

  it('fails on a gate the report does not meet, whatever gate the report itself carries', async () => {
    const { github, repo } = setup();
    // The report's own gate passed; the config's gate is what counts.
    expect(evaluation.gate.passed).toBe(true);
    project(FAILING_GATE, evaluation);
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    await expect(failure).rejects.toThrow(
      /^The gate failed for credit-risk: roc_auc 0\.7658 < 0\.9500 \(min\)\.$/,
    );
    expect(action.outputs()).toEqual({ passed: 'false' });
    expect(gateStatuses(github, repo)).toMatchObject([
      { state: 'failure', description: 'Gate failed: roc_auc 0.7658 < 0.9500 (min)' },
    ]);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toMatchObject([{ conclusion: 'failure' }]);
    expect(action.summary()).toContain('### ❌ Gate failed: 1 of 2 checks');

    action.clear();
    action.setInputs({ 'fail-on-gate': 'false' });
    await run();
    expect(action.outputs()).toEqual({ passed: 'false' });
  });

  it("gates a training script's bare metrics: absolute rules only, and the summary says so", async () => {
    const { github, repo } = setup();
    project(METRICS_ONLY, trainingMetrics, 'metrics.json');
    await run();
    expect(action.outputs()).toEqual({ passed: 'true' });
    expect(action.summary()).toContain(NO_BASELINE);
    expect(action.summary()).toContain('### ✅ Gate passed: 3 checks');
    expect(gateStatuses(github, repo)).toMatchObject([{ state: 'success' }]);

    // Fairness rules need fairness in the report: a missing value fails, it is not skipped.
    action.clear();
    project(PASSING_GATE, trainingMetrics, 'metrics.json');
    await expect(run()).rejects.toThrow(
      'equalized_odds_difference for personal_status is missing from the candidate, so the max rule (0.6000) fails',
    );
    expect(gateStatuses(github, repo).map((s) => s.state)).toEqual(['success', 'failure']);
  });

  it('fails with one sentence when the report file is missing, writing nothing', async () => {
    const { github, repo } = setup();
    writeProject(action.workspace(), { model: candidate });
    action.setInputs({ report: 'reports/nope.json' });
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    await expect(failure).rejects.toThrow(
      `${join(action.workspace(), 'reports/nope.json')}: report not found; check the path.`,
    );
    expect(github.statusesOn(repo, HEAD_SHA)).toEqual([]);
    expect(action.outputs()).toEqual({});

    project(PASSING_GATE, { metrics: { roc_auc: 'high' } });
    await expect(run()).rejects.toThrow(
      `${join(action.workspace(), 'reports/report.json')}: metrics.roc_auc: `,
    );
  });

  it('fails with one sentence when the report input is not set, or modelship.yml is missing', async () => {
    const { github, repo } = setup();
    writeProject(action.workspace(), { model: candidate });
    action.setInputs({ report: '' });
    const failure = run();
    await expect(failure).rejects.toBeInstanceOf(ModelshipError);
    await expect(failure).rejects.toThrow(
      'gate needs the report input: the JSON report of the evaluation to gate (evaluate writes it, or modelship evaluate --json); set report.',
    );
    action.setInputs({ report: 'reports/report.json', config: '' });
    rmSync(join(action.workspace(), 'modelship.yml'));
    await expect(run()).rejects.toThrow(
      `gate needs modelship.yml: none found in ${action.workspace()}; set the config input.`,
    );
    expect(github.statusesOn(repo, HEAD_SHA)).toEqual([]);
  });

  it('reads fail-on-gate before it writes anything', async () => {
    const { github, repo } = setup();
    project(FAILING_GATE, evaluation);
    action.setInputs({ 'fail-on-gate': 'maybe' });
    await expect(run()).rejects.toThrow('input fail-on-gate is "maybe"; expected true or false.');
    expect(github.statusesOn(repo, HEAD_SHA)).toEqual([]);
  });

  it("writes only the job summary in a fork pull request's run, with no 403", async () => {
    const fork = setup({ fork: true });
    project(PASSING_GATE, evaluation);
    await run();
    expect(action.outputs()).toEqual({ passed: 'true' });
    expect(fork.github.statusesOn(fork.repo, HEAD_SHA)).toEqual([]);
    expect(fork.github.requests.filter((r) => r.status === 403)).toEqual([]);
    expect(action.summary()).toContain('comes from a fork');
  });

  it('sets the status on the fork PR head from the workflow_run companion', async () => {
    const { github, repo } = setup({ fork: true, event: 'workflow_run' });
    project(PASSING_GATE, evaluation);
    await run();
    expect(gateStatuses(github, repo)).toMatchObject([{ state: 'success' }]);
    expect(github.checkRunsOn(repo, HEAD_SHA)).toMatchObject([{ name: CHECK }]);
    expect(github.statusesOn(repo, DEFAULT_BRANCH_SHA)).toEqual([]);
    expect(action.summary()).not.toContain('comes from a fork');
  });
});
