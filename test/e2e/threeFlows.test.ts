// The three flows of docs/architecture.md, in order, on a checkout of the credit-risk example: every step
// is the real action's run() in process with the environment a runner gives it, against the
// OpenAPI-validated GitHub fake, real onnxruntime and DuckDB, the real cache and artifact clients
// against Azurite (through the results-service stand-in). What GitHub itself does between steps
// (merging, listing a run's artifacts, triggering workflows) is "runner glue", explicit and
// commented below.
//
// pull request → validate-data, train (cache + artifact), evaluate (sticky comment, status, check
// run), gate → merge → publish-model (one release, every asset) → schedule → drift-check (one
// issue, one retraining PR) → the retraining PR's own pull-request flow → then every run again
// with the same events: nothing is duplicated, only updated.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as deploy } from '../../src/actions/deploy/main.js';
import { run as driftCheck } from '../../src/actions/drift-check/main.js';
import { run as publishModel } from '../../src/actions/publish-model/main.js';
import { BUNDLE_FILES } from '../../src/core/release/bundle.js';
import { ResultsService } from '../support/cache/resultsService.js';
import type { FakeComment, FakePull, FakeRepo } from '../support/github/fakeEntities.js';
import { deploymentsOf } from '../support/github/fakeDeployments.js';
import { GitHubFake } from '../support/github/githubFake.js';
import { buildCliIfStale } from '../support/cli.js';
import { checkoutExample } from '../support/e2e/checkout.js';
import { startContainerLab, type ContainerLab } from '../support/containerLab.js';
import { systemRequirements } from '../support/systemRequirements.js';
import { RELEASE_ASSETS } from '../support/releaseAssets.js';
import { pushEvent, scheduleEvent } from '../support/e2e/events.js';
import { commitOnBranch, mergeCommit } from '../support/e2e/gitHistory.js';
import {
  CACHE_PATH,
  completeRun,
  evaluateJob,
  rerun,
  runPullRequestFlow,
  startPullRequestRun,
  succeeded,
  trainStep,
  validateJob,
  type PullRequestRun,
} from '../support/e2e/pullRequestFlow.js';
import { StepRunner, type Job } from '../support/e2e/stepRunner.js';

const OWNER = 'acme';
const REPO = 'credit-models';
const MODEL = 'credit-risk';
const ARTIFACT = `candidate-${MODEL}`;
const STATUS = `modelship/gate (${MODEL})`;
/** The aggregate over the affected models; evaluate sets it over its own model without `models`. */
const AGGREGATE = 'modelship/gate';
const CHECK = `Modelship gate (${MODEL})`;
const MARKER = `<!-- modelship:evaluate/${MODEL} -->`;
const TAG = `${MODEL}-v1.0.0`;
const DRIFT_LABEL = 'modelship:drift';
const RETRAIN_BRANCH = `modelship/retrain-${MODEL}`;
const RETRAIN_FILE = `.modelship/retrain-${MODEL}.json`;
const DRIFT_CRON = '17 6 * * 1';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** The deploy step builds and runs the image for real: without podman and co., all is skipped. */
const containers = systemRequirements(['containers']);

let scratch: string;
let workspace: string;
let github: GitHubFake;
/** The results services (cache, artifacts) of PR #1's run, the push's and the retraining PR's. */
let results: ResultsService;
let releaseResults: ResultsService;
let retrainResults: ResultsService;
/** podman, buildah, a local registry and a base image, in a private store. */
let lab: ContainerLab;
let stopLab: (() => Promise<void>) | undefined;
/** The deploy job's image repository, in the local registry. */
let imageRepository: string;
let runner: StepRunner;
let repo: FakeRepo;
/** main's head before the merge, PR #1's head and the merge commit. */
let mainBefore: string;
let merged: string;
let pr: FakePull;
let prRun: PullRequestRun;
let releaseJob: Job;
let deployJob: Job;
let deployInputs: Record<string, string>;
let driftJob: Job;
let appToken: string;
let retrainPr: FakePull;
let retrainRun: PullRequestRun;
/** The retraining PR's head when its pull-request flow ran. */
let retrainHead: string;
/** The model the train step uploaded in the artifact, as bytes. */
let candidateBytes: Buffer;
let firstPass: ReturnType<typeof inventory>;
let comments: FakeComment[];

/** Everything a re-run must not duplicate, by identity (ids, names, numbers). */
function inventory() {
  // The heads the two PR runs reported on.
  const heads = [pr.head.sha, retrainHead];
  const git = github.gitOf(repo);
  const issueNumbers = [pr, retrainPr, ...github.issuesOf(repo)].map((i) => i.number);
  return {
    // On PR #1, the retraining PR and the drift issue.
    comments: issueNumbers.map((n) => github.commentsOn(repo, n).map((c) => c.id)),
    statusContexts: heads.map((sha) =>
      [...new Set(github.statusesOn(repo, sha).map((s) => s.context))].sort(),
    ),
    checkRuns: heads.map((sha) => github.checkRunsOn(repo, sha).map((r) => r.id)),
    gate: heads.map((sha) => gateStatus(sha)?.state),
    releases: github.releasesOf(repo).map((r) => [r.id, r.tag, r.assets.map((a) => a.id)]),
    issues: github.issuesOf(repo).map((i) => [i.number, i.state, i.labels]),
    pulls: github.pullsOf(repo).map((p) => [p.number, p.head.ref, p.state]),
    labels: github.labelsOf(repo).map((l) => l.name),
    deployments: deployments().map((d) => [
      d.id,
      d.ref,
      d.environment,
      d.statuses.map((s) => s.state),
    ]),
    branches: [...git.refs.keys()].sort(),
    artifacts: [results, releaseResults, retrainResults].map((r) =>
      r.artifacts.filter((a) => a.finalized).map((a) => a.name),
    ),
    cacheEntries: [results, releaseResults, retrainResults].map((r) =>
      r.cacheEntries.filter((e) => e.finalized).map((e) => e.key),
    ),
  };
}

const deployments = () => deploymentsOf(github.repoState(OWNER, REPO));

/** The newest status of the gate's context on `sha`: what branch protection reads. */
const gateStatus = (sha: string) =>
  github
    .statusesOn(repo, sha)
    .filter((s) => s.context === STATUS)
    .at(-1);

beforeAll(async () => {
  containers.check();
  // The trainer imports the compiled library, as a user's project does after `npm install`.
  buildCliIfStale();
  scratch = mkdtempSync(join(tmpdir(), 'modelship-e2e-'));
  workspace = join(scratch, 'checkout');
  checkoutExample(workspace);
  // One at a time: on two shared cores, parallel starts run into Azurite's startup timeout.
  github = await GitHubFake.start();
  results = await ResultsService.start();
  releaseResults = await ResultsService.start();
  retrainResults = await ResultsService.start();
  // `stopLab` is known as soon as the registry is spawned: a timeout here still stops it.
  lab = await startContainerLab(join(scratch, 'containers'), (stop) => (stopLab = stop));
  imageRepository = `${OWNER}/${MODEL}`;
  repo = github.addRepo(OWNER, REPO);
  runner = new StepRunner({
    repository: `${OWNER}/${REPO}`,
    apiUrl: github.url,
    workspace,
    scratch: join(scratch, 'runner'),
  });
}, 240_000);

afterAll(async () => {
  // Containers, images and the registry first: they are this test's processes.
  const stopped = await Promise.allSettled([
    stopLab?.(),
    github?.close(),
    results?.stop(),
    releaseResults?.stop(),
    retrainResults?.stop(),
  ]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  for (const outcome of stopped) if (outcome.status === 'rejected') throw outcome.reason;
}, 60_000);

describe('the three flows on the credit-risk example', containers.options, () => {
  it('pull request opened: the data contract is checked', async () => {
    // alice pushes branch `better-model` with the project and opens PR #1; GitHub makes the test
    // merge refs/pull/1/merge and starts the PR's workflow run.
    const git = github.gitOf(repo);
    mainBefore = git.refs.get('heads/main')!;
    const project = ['modelship.yml', 'train.mjs', 'data/schema.yml'];
    const head = commitOnBranch(git, {
      branch: 'better-model',
      from: 'main',
      files: Object.fromEntries(project.map((f) => [f, readFileSync(join(workspace, f), 'utf8')])),
      message: 'Train the first credit-risk model',
      date: github.now(),
    });
    pr = github.addPullRequest(repo, {
      author: 'alice',
      head: { ref: 'better-model', sha: head },
      base: { ref: 'main', sha: mainBefore },
    });
    pr.title = 'Train the first credit-risk model';
    const mergeRef = mergeCommit(git, {
      base: 'main',
      head,
      message: `Merge ${head} into ${mainBefore}`,
      date: github.now(),
      advance: false,
    });
    prRun = startPullRequestRun(github, repo, { pr, mergeRef, results });

    const step = await validateJob(runner, prRun);
    expect(step.outputs.ok).toBe('true');
    expect(step.annotations).toEqual([]);
    expect(step.summary).toContain('✅ **Data contract passed**');
    expect(step.summary).toContain('data/train.csv');
    const report = JSON.parse(readFileSync(step.outputs.report!, 'utf8')) as {
      ok: boolean;
      rows: number;
      violations: unknown[];
    };
    expect(report).toMatchObject({ ok: true, rows: 700, violations: [] });
  }, 60_000);

  it('the model is trained, its dependency cache saved and the candidate uploaded', async () => {
    // A setup step of the GPU runner's job filled the trainer's dependency cache.
    const cacheDir = join(workspace, CACHE_PATH);
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'wheels.txt'), 'dependencies the trainer downloaded\n');

    const step = await trainStep(runner, prRun);
    expect(step.outputs['model-path']).toBe(join(workspace, 'artifacts', 'model.onnx'));
    expect(step.outputs['gpu-count']).toBe('0');
    expect(step.outputs['cache-hit']).toBe('miss');
    expect(step.outputs['artifact-id']).toMatch(/^\d+$/);
    expect(step.summary).toContain(`## Modelship train · \`${MODEL}\``);
    expect(step.summary).toContain('### ✅ Trained in');
    expect(step.stdout).toMatch(/trained logistic regression on 700 rows × 26 features/);
    const manifest = JSON.parse(readFileSync(step.outputs.manifest!, 'utf8')) as {
      commit_sha: string;
      model: { sha256: string };
    };
    expect(manifest.commit_sha).toBe(prRun.train.sha);

    expect(results.artifacts.filter((a) => a.finalized).map((a) => a.name)).toEqual([ARTIFACT]);
    expect(results.cacheEntries.filter((e) => e.finalized)).toHaveLength(1);
    candidateBytes = readFileSync(step.outputs['model-path']!);
    expect(sha256(candidateBytes)).toBe(manifest.model.sha256);
  }, 90_000);

  it('evaluate and gate: one report comment, the gate status and check run on the head', async () => {
    const { downloaded, candidate, evaluated, gated } = await evaluateJob(runner, prRun, ARTIFACT);
    expect(downloaded).toEqual(['manifest.json', 'metrics.json', 'model.onnx']);
    expect(sha256(candidate)).toBe(sha256(candidateBytes));

    expect(evaluated.outputs.passed).toBe('true');
    expect(evaluated.summary).toContain('no production model yet');
    expect(evaluated.summary).toMatch(/### ✅ Gate passed: \d+ checks/);
    expect(evaluated.annotations).toEqual([]);
    comments = github.commentsOn(repo, pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(MARKER);
    expect(comments[0]!.body).toContain('roc_auc');
    expect(comments[0]!.body).toMatch(/### ✅ Gate passed/);
    expect(comments[0]!.user.login).toBe('github-actions[bot]');
    expect(evaluated.outputs['comment-url']).toContain(`#issuecomment-${comments[0]!.id}`);
    expect(gated.outputs.passed).toBe('true');
    expect(gated.summary).toMatch(/### ✅ Gate passed: \d+ checks/);

    // Statuses and check runs belong on the PR head, never on the merge ref the run checked out.
    expect(github.statusesOn(repo, prRun.train.sha)).toEqual([]);
    const statuses = github.statusesOn(repo, pr.head.sha);
    expect(new Set(statuses.map((s) => s.context))).toEqual(new Set([AGGREGATE, STATUS]));
    expect(statuses.filter((s) => s.context === AGGREGATE).at(-1)?.state).toBe('success');
    expect(gateStatus(pr.head.sha)!.state).toBe('success');
    const checks = github.checkRunsOn(repo, pr.head.sha);
    expect(checks.map((c) => [c.name, c.status, c.conclusion])).toEqual([
      [CHECK, 'completed', 'success'],
    ]);
    expect(github.commentsOn(repo, pr.number)).toHaveLength(1);
  }, 60_000);

  it('merge: one release with every asset, exactly the evaluated candidate', async () => {
    await completeRun(github, prRun);
    // GitHub: a reviewer merges PR #1; main moves to the merge commit, and the push starts the
    // release workflow.
    merged = mergeCommit(github.gitOf(repo), {
      base: 'main',
      head: pr.head.sha,
      message: `Merge pull request #${pr.number} from ${OWNER}/better-model`,
      date: github.now(),
      advance: true,
    });
    pr.state = 'closed';
    pr.mergeCommitSha = merged;
    pr.mergedAt = github.now();
    const pushRun = github.addWorkflowRun(repo, {
      headSha: merged,
      headBranch: 'main',
      event: 'push',
      conclusion: null,
    });
    releaseJob = {
      event: 'push',
      payload: pushEvent(repo, { before: mainBefore, after: merged, time: '2024-05-02T10:00:00Z' }),
      sha: merged,
      ref: 'refs/heads/main',
      runId: pushRun.id,
      attempt: 1,
      // permissions: contents: write, actions: read, pull-requests: read
      token: github.actionsToken({ writes: ['contents'] }),
      env: releaseResults.env(),
    };

    const step = succeeded(await runner.step('publish-model', publishModel, releaseJob));
    expect(step.outputs).toEqual({
      tag: TAG,
      version: '1.0.0',
      'release-url': `https://github.com/${OWNER}/${REPO}/releases/tag/${TAG}`,
    });
    expect(step.summary).toContain('Published');
    expect(step.annotations).toEqual([]);
    expect(step.summary).toContain(`PR #${pr.number}`);

    const [release, ...others] = github.releasesOf(repo);
    expect(others).toEqual([]);
    expect(release!).toMatchObject({ tag: TAG, draft: false, prerelease: false });
    expect(release!.targetCommitish).toBe(merged);
    expect(release!.assets.map((a) => a.name).sort()).toEqual(RELEASE_ASSETS);
    expect(Object.values(BUNDLE_FILES).sort()).toEqual(RELEASE_ASSETS);
    expect(release!.assets.every((a) => a.state === 'uploaded')).toBe(true);
    // SHA256SUMS lists every other asset, and each matches its bytes.
    const sums = release!.assets.find((a) => a.name === 'SHA256SUMS')!.bytes.toString('utf8');
    const listed = new Map(
      sums
        .trim()
        .split('\n')
        .map((line) => {
          const [, digest, name] = /^([0-9a-f]{64}) [ *](.+)$/.exec(line)!;
          return [name!, digest!];
        }),
    );
    expect([...listed.keys()].sort()).toEqual(RELEASE_ASSETS.filter((n) => n !== 'SHA256SUMS'));
    for (const asset of release!.assets.filter((a) => a.name !== 'SHA256SUMS')) {
      expect(listed.get(asset.name), asset.name).toBe(sha256(asset.bytes));
    }
    // Promotion is the merge: the bytes reviewed on the PR are the bytes released.
    const model = release!.assets.find((a) => a.name === 'model.onnx')!;
    expect(sha256(model.bytes)).toBe(sha256(candidateBytes));
  }, 60_000);

  it('deploy: the image built, pushed, smoke-tested, tagged production and recorded', async () => {
    // release.yml's deploy job, after publish-model in the same run.
    // permissions: contents: read, deployments: write (the fake's one write scope stands for it)
    deployJob = {
      ...releaseJob,
      token: github.actionsToken({ writes: ['contents'] }),
      env: {
        ...releaseResults.env(),
        ...lab.env,
        // Where an action bundle finds dist/serve beside itself; here the runtime bundled for
        // this test (see containers.ts).
        MODELSHIP_SERVE_RUNTIME: lab.runtime,
      },
    };
    deployInputs = {
      // release.yml passes publish's output: the version just released.
      version: '1.0.0',
      image: `${lab.registry}/${imageRepository}`,
      builder: 'podman',
      // Nothing can be pulled here: node and its libraries, built from scratch.
      'base-image': lab.baseImage,
      // The local registry speaks plain HTTP.
      'tls-verify': 'false',
      url: 'https://credit-risk.example.com',
    };

    const step = succeeded(await runner.step('deploy', deploy, deployJob, deployInputs));
    const digest = step.outputs.digest!;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(step.outputs.image).toBe(`${deployInputs.image}@${digest}`);
    expect(step.summary).toContain(`## Modelship · deploy \`${TAG}\``);
    expect(step.summary).toContain('✅ **Smoke test passed**');
    expect(step.annotations).toEqual([]);

    // One image, two tags: the version and the environment, both the smoke-tested digest.
    expect(await lab.registryCatalog()).toEqual([imageRepository]);
    expect(await lab.registryTags(imageRepository)).toEqual(['1.0.0', 'production']);
    expect(await lab.registryDigest(imageRepository, '1.0.0')).toBe(digest);
    expect(await lab.registryDigest(imageRepository, 'production')).toBe(digest);
    // The smoke test's container is gone.
    expect(lab.containers()).toEqual([]);

    const [deployment, ...more] = deployments();
    expect(more).toEqual([]);
    expect(String(deployment!.id)).toBe(step.outputs['deployment-id']);
    expect(deployment).toMatchObject({ ref: TAG, environment: 'production' });
    expect(deployment!.payload).toMatchObject({ digest, version: '1.0.0' });
    expect(deployment!.statuses.map((s) => s.state)).toEqual(['success']);
    expect(deployment!.statuses[0]!.environmentUrl).toBe('https://credit-risk.example.com');
    expect(releaseResults.artifacts.filter((a) => a.finalized).map((a) => a.name)).toEqual([
      `modelship-manifests-${MODEL}`,
    ]);
  }, 180_000);

  it('schedule: drift on the shifted data opens one issue and one retraining PR', async () => {
    // GitHub: the drift workflow's cron fires on main (now the merge commit).
    const scheduled = github.addWorkflowRun(repo, {
      headSha: merged,
      headBranch: 'main',
      event: 'schedule',
      conclusion: null,
    });
    driftJob = {
      event: 'schedule',
      payload: scheduleEvent(repo, DRIFT_CRON),
      sha: merged,
      ref: 'refs/heads/main',
      runId: scheduled.id,
      attempt: 1,
      // permissions: contents: write, issues: write, pull-requests: write
      token: github.actionsToken({ writes: ['contents', 'issues', 'pull-requests'] }),
    };
    // drift.yml passes `secrets.app-token || github.token`: a GitHub App's token here, so that
    // the retraining PR starts the pull-request flow (GITHUB_TOKEN's events start no workflows).
    appToken = github.userToken('modelship-retrainer');

    const step = succeeded(
      await runner.step('drift-check', driftCheck, driftJob, { 'github-token': appToken }),
    );
    expect(step.outputs.drifted).toBe('true');
    expect(Number(step.outputs['drift-share'])).toBeGreaterThanOrEqual(0.5);
    expect(step.summary).toContain(`production ${TAG}`);
    expect(step.summary).toContain('⚠️ drift');
    expect(step.annotations).toEqual([]);

    const issues = github.issuesOf(repo);
    expect(issues).toHaveLength(1);
    const issue = issues[0]!;
    expect(issue).toMatchObject({ state: 'open', labels: [DRIFT_LABEL] });
    expect(String(issue.number)).toBe(step.outputs['issue-number']);
    expect(github.labelsOf(repo).map((l) => l.name)).toEqual([DRIFT_LABEL]);

    const retrain = github.pullsOf(repo).filter((p) => p.head.ref === RETRAIN_BRANCH);
    expect(retrain).toHaveLength(1);
    retrainPr = retrain[0]!;
    expect(retrainPr).toMatchObject({ state: 'open', base: { ref: 'main' } });
    expect(String(retrainPr.number)).toBe(step.outputs['pr-number']);
    expect(retrainPr.body).toContain(`#${issue.number}`);
    // Opened with the App's token: no notice that its pull-request flow will not start.
    expect(retrainPr.user.login).toBe('modelship-retrainer');
    expect(retrainPr.body).not.toContain('GITHUB_TOKEN');
    expect(issue.body).toContain(`#${retrainPr.number}`);
    // The branch is one commit on main holding the retraining request.
    const git = github.gitOf(repo);
    const head = git.commits.get(git.refs.get(`heads/${RETRAIN_BRANCH}`)!)!;
    expect(head.parents).toEqual([merged]);
    expect(retrainPr.head.sha).toBe(head.sha);
    expect(JSON.parse(git.fileAt(`heads/${RETRAIN_BRANCH}`, RETRAIN_FILE)!)).toBeTypeOf('object');
    scheduled.status = 'completed';
    scheduled.conclusion = 'success';
  }, 60_000);

  it('the retraining PR runs the pull-request flow against production', async () => {
    // GitHub: the PR was opened with an App token, so its `pull_request` event starts the PR
    // workflow; actions/checkout puts the test merge (main + the retraining request) in place.
    const git = github.gitOf(repo);
    const mergeRef = mergeCommit(git, {
      base: 'main',
      head: retrainPr.head.sha,
      message: `Merge ${retrainPr.head.sha} into ${merged}`,
      date: github.now(),
      advance: false,
    });
    retrainHead = retrainPr.head.sha;
    const request = git.fileAt(`heads/${RETRAIN_BRANCH}`, RETRAIN_FILE)!;
    mkdirSync(dirname(join(workspace, RETRAIN_FILE)), { recursive: true });
    writeFileSync(join(workspace, RETRAIN_FILE), request);
    // A PR's caches are its own: the retraining PR cannot restore PR #1's (another results
    // service stands for that scope).
    retrainRun = startPullRequestRun(github, repo, {
      pr: retrainPr,
      mergeRef,
      results: retrainResults,
    });

    const flow = await runPullRequestFlow(runner, retrainRun, ARTIFACT);
    expect(flow.validated.outputs.ok).toBe('true');
    expect(flow.trained.outputs['cache-hit']).toBe('miss');
    const { evaluated, gated } = flow.evaluation;
    expect(evaluated.outputs.passed).toBe('true');
    expect(evaluated.summary).toContain(`production ${TAG}`);
    expect(gated.outputs.passed).toBe('true');
    const onRetrain = github
      .commentsOn(repo, retrainPr.number)
      .filter((c) => c.body.includes(MARKER));
    expect(onRetrain).toHaveLength(1);
    expect(onRetrain[0]!.body).toContain(`production ${TAG}`);
    expect(gateStatus(retrainPr.head.sha)!.state).toBe('success');
    expect(github.checkRunsOn(repo, retrainPr.head.sha).map((c) => c.name)).toEqual([CHECK]);
    // PR #1's report is untouched by another PR's run.
    expect(github.commentsOn(repo, pr.number)).toEqual(comments);
    await completeRun(github, retrainRun);
  }, 90_000);

  it('re-run of PR #1’s run: the cache restores, its one comment now compares with production', async () => {
    firstPass = inventory();
    const comment = { ...github.commentsOn(repo, pr.number)[0]! };
    // "Re-run all jobs" lands on fresh runners: the trainer's dependency cache is not on disk
    // until the cache restores it.
    rmSync(join(workspace, '.cache'), { recursive: true, force: true });
    rmSync(join(workspace, 'artifacts'), { recursive: true, force: true });

    const again = await runPullRequestFlow(runner, rerun(prRun), ARTIFACT);
    expect(again.trained.outputs['cache-hit']).toBe('exact');
    expect(readFileSync(join(workspace, CACHE_PATH, 'wheels.txt'), 'utf8')).toContain(
      'dependencies',
    );
    // The same data and trainer give the same model, byte for byte.
    expect(sha256(again.evaluation.candidate)).toBe(sha256(candidateBytes));
    expect(again.evaluation.evaluated.summary).toContain(`production ${TAG}`);
    await completeRun(github, prRun);

    const [edited, ...more] = github.commentsOn(repo, pr.number);
    expect(more).toEqual([]);
    expect(edited!.id).toBe(comment.id);
    expect(edited!.updatedAt > comment.updatedAt).toBe(true);
    expect(edited!.body).toContain(`production ${TAG}`);
    expect(gateStatus(pr.head.sha)!.state).toBe('success');
  }, 90_000);

  it('re-run of the push’s run: the release stays, the deployment is reused', async () => {
    const published = succeeded(
      await runner.step('publish-model', publishModel, { ...releaseJob, attempt: 2 }),
    );
    expect(published.outputs.tag).toBe(TAG);
    expect(published.summary).toContain('Already published');
    const redeployed = succeeded(
      await runner.step('deploy', deploy, { ...deployJob, attempt: 2 }, deployInputs),
    );
    expect(redeployed.summary).toContain('✅ **Smoke test passed**');
    expect(redeployed.outputs['deployment-id']).toBe(String(deployments()[0]!.id));
    expect(redeployed.outputs.digest).toBe(await lab.registryDigest(imageRepository, '1.0.0'));
  }, 180_000);

  it('re-run of the schedule’s run: the drift issue and the retraining PR are updated', async () => {
    const issue = github.issuesOf(repo)[0]!;
    const issueComments = github.commentsOn(repo, issue.number).map((c) => c.id);
    const drift = succeeded(
      await runner.step(
        'drift-check',
        driftCheck,
        { ...driftJob, attempt: 2 },
        { 'github-token': appToken },
      ),
    );
    expect(drift.outputs.drifted).toBe('true');
    expect(drift.outputs['issue-number']).toBe(String(github.issuesOf(repo)[0]!.number));
    expect(drift.outputs['pr-number']).toBe(String(retrainPr.number));
    // The same run again leaves the retraining branch where it put it: no new commit, so no
    // `synchronize` that would train the same model again. The PR is the same one.
    const git = github.gitOf(repo);
    const branchHead = git.refs.get(`heads/${RETRAIN_BRANCH}`)!;
    expect(branchHead).toBe(retrainHead);
    expect(git.commits.get(branchHead)!.parents).toEqual([merged]);
    expect(retrainPr.head.sha).toBe(branchHead);
    // The first attempt opened the issue with its report as the body; the same run again has
    // nothing to add as a comment.
    expect(
      github.commentsOn(repo, issue.number).map((c) => c.id),
      'comments on the drift issue after re-running the run that opened it',
    ).toEqual(issueComments);
  }, 60_000);

  it('re-run of the retraining PR’s run: its one comment is edited in place', async () => {
    const comment = github.commentsOn(repo, retrainPr.number).find((c) => c.body.includes(MARKER))!;
    const retrained = await runPullRequestFlow(runner, rerun(retrainRun), ARTIFACT);
    expect(retrained.evaluation.gated.outputs.passed).toBe('true');
    await completeRun(github, retrainRun);
    const now = github.commentsOn(repo, retrainPr.number).filter((c) => c.body.includes(MARKER));
    expect(now.map((c) => c.id)).toEqual([comment.id]);
  }, 90_000);

  it('nothing is duplicated, only updated; nothing broke GitHub’s API description', async () => {
    const now = inventory();
    // Key by key, so that a failure names what a re-run duplicated.
    for (const key of Object.keys(firstPass) as (keyof typeof firstPass)[]) {
      expect(now[key], `${key} after the re-run`).toEqual(firstPass[key]);
    }
    expect(now.releases.map(([, tag]) => tag)).toEqual([TAG]);
    expect(now.labels).toEqual([DRIFT_LABEL]);
    expect(now.issues).toEqual([[expect.any(Number), 'open', [DRIFT_LABEL]]]);
    expect(now.pulls).toEqual([
      [pr.number, 'better-model', 'closed'],
      [retrainPr.number, RETRAIN_BRANCH, 'open'],
    ]);
    expect(now.statusContexts).toEqual([
      [AGGREGATE, STATUS],
      [AGGREGATE, STATUS],
    ]);
    expect(now.artifacts).toEqual([[ARTIFACT], [`modelship-manifests-${MODEL}`], [ARTIFACT]]);
    expect(now.deployments).toEqual([[expect.any(Number), TAG, 'production', ['success']]]);
    expect(await lab.registryTags(imageRepository)).toEqual(['1.0.0', 'production']);
    expect(await lab.registryDigest(imageRepository, 'production')).toBe(
      await lab.registryDigest(imageRepository, '1.0.0'),
    );
    expect(lab.containers()).toEqual([]);
    // Statuses are append-only on GitHub: the newest of the context is what branch protection reads.
    expect(gateStatus(pr.head.sha)!.state).toBe('success');
    expect(gateStatus(retrainPr.head.sha)!.state).toBe('success');
    expect(github.violations).toEqual([]);
    expect(results.violations).toEqual([]);
    expect(releaseResults.violations).toEqual([]);
    expect(retrainResults.violations).toEqual([]);
  });
});
