// Rollback end to end, with real parts: the credit-risk example's releases 1.0.0 and 1.1.0 on the
// GitHub fake, 1.1.0 deployed; labelled current data with planted errors (the holdout with a
// third of its labels flipped) degrades production. drift-check (real DuckDB and onnxruntime)
// opens the issue "Performance degraded" and names the version to roll back to; the deploy action
// deploys it with podman into a local registry, smoke-tested, as a new deployment, and marks
// 1.1.0 rolled back; the next pull request's baseline is 1.0.0; re-runs add nothing; a clean
// check closes the issue and drift that returns reopens it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run as deploy } from '../../src/actions/deploy/main.js';
import { run as driftCheck } from '../../src/actions/drift-check/main.js';
import { loadConfig } from '../../src/core/config/modelshipConfig.js';
import { parseModelVersion, type ReleaseQuery } from '../../src/core/release/modelVersion.js';
import { writeReleaseBundle } from '../../src/core/release/bundle.js';
import { createDeployment, setDeploymentStatus } from '../../src/github/deployments.js';
import { ModelRegistry } from '../../src/github/releases/registry.js';
import { OWNER, REPO, useActionRun } from '../support/actionRunner.js';
import { startContainerLab, type ContainerLab } from '../support/containerLab.js';
import { deployActionDefaults, labDeployInputs } from '../support/deployActionDefaults.js';
import { EVAL_CSV, trainModel, writeProject } from '../support/evaluateProject.js';
import { deploymentsOf } from '../support/github/fakeDeployments.js';
import type { GitHubFake } from '../support/github/githubFake.js';
import { clientFor, useGitHubFake } from '../support/github/useGitHubFake.js';
import { scheduledRunEnv } from '../support/scheduledRun.js';
import { systemRequirements } from '../support/systemRequirements.js';
import { useTempDir } from '../support/tempDir.js';

const containers = systemRequirements(['containers']);
const dir = useTempDir();
const { fake } = useGitHubFake();
const action = useActionRun({
  // actions/drift-check/action.yml's defaults; deploy's are set before it runs.
  CURRENT: '',
  REFERENCE: 'production',
  'OPEN-ISSUE': 'true',
  'OPEN-PR': 'false',
  'FAIL-ON-DRIFT': 'false',
  ENVIRONMENT: 'production',
  'REPORT-PATH': '',
  CONFIG: 'modelship.yml',
  'WORKING-DIRECTORY': '.',
  'WORKFLOW-TOKEN': '',
});

const URL = 'https://models.example.com/credit-risk';
let lab: ContainerLab;
let stopLab: (() => Promise<void>) | undefined;
const bundles: Record<string, string> = {};
let model: string;
let degraded: string;

beforeAll(async () => {
  containers.check();
  lab = await startContainerLab(join(dir, 'lab'), (stop) => (stopLab = stop));
  model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  const loaded = loadConfig(writeProject(join(dir, 'release'), { model }));
  for (const version of ['1.0.0', '1.1.0']) {
    const bundle = await writeReleaseBundle({
      loaded,
      out: join(dir, `bundle-${version}`),
      version,
      executionProviders: ['cpu'],
    });
    bundles[version] = bundle.dir;
  }
  // The holdout with every third label flipped: the features (and their drift) are unchanged.
  const [header, ...rows] = readFileSync(EVAL_CSV, 'utf8').trim().split('\n');
  const flip = (line: string, i: number) =>
    i % 3
      ? line
      : line.replace(/,(good|bad)$/, (_, c: string) => (c === 'good' ? ',bad' : ',good'));
  degraded = join(dir, 'degraded.csv');
  writeFileSync(degraded, [header, ...rows.map(flip)].join('\n') + '\n');
}, 240_000);

afterAll(async () => {
  await stopLab?.();
}, 60_000);

beforeEach(() => {
  Object.assign(process.env, lab.env, { MODELSHIP_SERVE_RUNTIME: lab.runtime });
});

/** modelship.yml: the gate's roc_auc rule, drift watched on six features, rollback auto. */
function project(): void {
  const file = writeProject(action.workspace(), { model });
  const config = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  config.metrics = { roc_auc: { min: 0.7 } };
  config.drift = { columns: ['duration', 'credit_amount', 'age', 'checking_status', 'housing'] };
  config.rollback = { mode: 'auto', max_regression: { accuracy: 0.1 } };
  writeFileSync(file, stringify(config));
}

/** Releases 1.0.0 and 1.1.0, deployed to production in that order (both went live). */
async function history(github: GitHubFake, token: string) {
  const repo = github.addRepo(OWNER, REPO);
  const octokit = clientFor(github, token);
  const target = { owner: OWNER, repo: REPO };
  for (const version of ['1.0.0', '1.1.0']) {
    const dir = bundles[version]!;
    const assets = Object.fromEntries(
      readdirSync(dir).map((name) => [name, readFileSync(join(dir, name))]),
    );
    github.addRelease(repo, { tag: `credit-risk-v${version}`, assets });
    const id = await createDeployment(octokit, target, {
      ref: `credit-risk-v${version}`,
      environment: 'production',
      description: `credit-risk ${version}`,
      payload: { image: 'ghcr.io/owner/credit-risk', digest: '', version, model: 'credit-risk' },
    });
    await setDeploymentStatus(octokit, target, id, {
      state: 'success',
      description: 'deployed',
      logUrl: `https://github.com/owner/repo/actions/runs/${version.replace(/\D/g, '')}`,
      environmentUrl: URL,
    });
  }
  return { repo, octokit };
}

async function check(github: GitHubFake, token: string, runId: number, current: string) {
  action.clear();
  scheduledRunEnv(github, { token, runId, runnerTemp: action.runnerTemp() });
  action.setInputs({ current });
  await driftCheck();
  return action.outputs();
}

describe('a degraded production rolls back', containers.options, () => {
  it('drift-check names 1.0.0, deploy rolls back to it, the next baseline follows; re-runs add nothing', async () => {
    const github = fake();
    const token = github.actionsToken({ writes: ['contents', 'issues'] });
    const { repo, octokit } = await history(github, token);
    project();

    const first = await check(github, token, 901, degraded);
    expect(first).toMatchObject({
      drifted: 'false',
      degraded: 'true',
      'rollback-to': 'credit-risk-v1.0.0',
      'rollback-reason': 'performance degraded (roc_auc, accuracy)',
      'issue-number': '1',
    });
    const report = JSON.parse(readFileSync(first.report!, 'utf8')) as {
      performance: { metrics: Record<string, { reference: number; current: number }> };
      degradation: { reasons: string[] };
    };
    const { roc_auc: auc, accuracy } = report.performance.metrics;
    expect(auc!.current).toBeLessThan(0.7);
    expect(accuracy!.reference - accuracy!.current).toBeGreaterThan(0.1);
    const [issue] = github.issuesOf(repo);
    expect(issue!.title).toBe('Production degraded: credit-risk');
    const body = issue!.body!.split('\n');
    expect(body[1]).toBe(
      `**⚠️ Performance degraded:** \`production credit-risk-v1.1.0\` on \`${degraded}\` (300 labelled rows):`,
    );
    expect(body[2]).toMatch(/^- roc_auc 0\.\d{4} < 0\.7000 \(min\)$/);
    expect(body[3]).toMatch(/^- accuracy regressed by 0\.\d{4} .*\(rollback\.max_regression\)$/);
    expect(body[4]).toContain('**Rollback:** to `credit-risk-v1.0.0` (`rollback.mode: auto`)');

    // The drift workflow's rollback job: the deploy action on that version.
    action.clear();
    action.setInputs({
      ...deployActionDefaults(),
      VERSION: first['rollback-to']!,
      'ROLLBACK-REASON': first['rollback-reason']!,
      ...labDeployInputs(`${lab.registry}/credit-risk`, lab.baseImage),
      'LOAD-TEST': 'false',
    });
    await deploy();
    const rolledBack = action.outputs();
    const deployments = () => deploymentsOf(github.repoState(OWNER, REPO));
    expect(deployments().map((d) => [d.ref, d.statuses.at(-1)!.state])).toEqual([
      ['credit-risk-v1.0.0', 'success'],
      ['credit-risk-v1.1.0', 'inactive'],
      ['credit-risk-v1.0.0', 'success'],
    ]);
    expect(rolledBack['deployment-id']).toBe(String(deployments()[2]!.id));
    expect(deployments()[1]!.statuses.at(-1)!.description).toBe(
      'rolled back to credit-risk-v1.0.0: performance degraded (roc_auc, accuracy)',
    );
    expect(await lab.registryDigest('credit-risk', 'production')).toBe(rolledBack.digest);

    // The next pull request's baseline, as evaluate resolves production: the rolled-back-to version.
    const registry = new ModelRegistry({ octokit, owner: OWNER, repo: REPO });
    const query = parseModelVersion('production', {
      what: 'baseline',
      accepts: ['production'],
      model: 'credit-risk',
    }) as ReleaseQuery;
    expect((await registry.resolve(query, 'credit-risk')).release?.tag).toBe('credit-risk-v1.0.0');

    // A re-run of the check: no second rollback, no second comment.
    const writes = github.requests.filter((r) => r.method !== 'GET').length;
    const again = await check(github, token, 901, degraded);
    expect(again['rollback-to']).toBeUndefined();
    expect(deployments()).toHaveLength(3);
    expect(github.issuesOf(repo)).toHaveLength(1);
    // The run that opened the issue wrote its report into the body: no comment, then or now.
    expect(github.commentsOn(repo, 1)).toEqual([]);
    const rewritten = github.requests.filter((r) => r.method !== 'GET').slice(writes);
    expect(rewritten.filter((r) => r.path.includes('/deployments'))).toEqual([]);
    // Production is now 1.0.0, the rollback's target: no second step back, the command instead.
    expect(again['degraded']).toBe('true');
    expect(github.issuesOf(repo)[0]!.body).toContain(
      // escaped: the refs come from the deployments
      '**Rollback:** not automatic: credit\\-risk\\-v1.0.0 is itself a rollback \\(from credit\\-risk\\-v1.1.0\\); Modelship rolls back one step only, so choose the version by hand.',
    );
  }, 300_000);
});

describe('the drift issue across checks', containers.options, () => {
  it('a clean check closes it with its figures; degradation that returns reopens it', async () => {
    const github = fake();
    const token = github.actionsToken({ writes: ['contents', 'issues'] });
    const { repo } = await history(github, token);
    project();
    // The fake's clock is in May 2024: the check's own time must be near it for the 30 days.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2024-05-01T06:00:00Z') });
    try {
      await check(github, token, 911, degraded);
      const clean = await check(github, token, 912, EVAL_CSV);
      expect(clean).toMatchObject({ degraded: 'false', 'issue-number': '1' });
      const [issue] = github.issuesOf(repo);
      expect(issue!.state).toBe('closed');
      const [closing] = github.commentsOn(repo, 1);
      expect(closing!.body).toContain('actions/runs/912');
      expect(closing!.body).toMatch(/- roc_auc 0\.\d{4} ≥ 0\.7000 \(min\);/);
      expect(closing!.body).toContain('Closing this issue.');

      const back = await check(github, token, 913, degraded);
      expect(back['issue-number']).toBe('1');
      expect(github.issuesOf(repo).map((i) => [i.number, i.state])).toEqual([[1, 'open']]);
      expect(github.commentsOn(repo, 1).map((c) => c.body)).toEqual([
        expect.stringContaining('Closing this issue.'),
        expect.stringContaining('Reopened: the check that closed this issue was clean'),
      ]);
    } finally {
      vi.useRealTimers();
    }
  }, 300_000);
});
