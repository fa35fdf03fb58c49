// The three flows of DESIGN.md §1, in order, on a checkout of the credit-risk example: every step
// is the real action's run() in process with the environment a runner gives it, against the
// OpenAPI-validated GitHub fake, real onnxruntime and DuckDB, the real cache and artifact clients
// against Azurite (through the results-service stand-in). What GitHub itself does between steps
// (merging, listing a run's artifacts, …) is "runner glue", explicit and commented below.
//
// pull request → validate-data, train (cache + artifact), evaluate (sticky comment, status, check
// run), gate → merge → publish-model (one release, every asset) → schedule → drift-check →
// then every run again with the same events: nothing is duplicated, only updated.
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as evaluate } from '../../src/actions/evaluate/main.js';
import { run as gate } from '../../src/actions/gate/main.js';
import { run as publishModel } from '../../src/actions/publish-model/main.js';
import { run as train } from '../../src/actions/train/main.js';
import { run as validateData } from '../../src/actions/validate-data/main.js';
import { BUNDLE_FILES } from '../../src/core/release/bundle.js';
import { ResultsService } from '../cache/resultsService.js';
import type { FakeComment, FakePull, FakeRepo, FakeWorkflowRun } from '../github/fakeEntities.js';
import { GitHubFake } from '../github/githubFake.js';
import { buildCliIfStale } from '../helpers/cli.js';
import { checkoutExample } from './checkout.js';
import { commitOnBranch, mergeCommit } from './gitHistory.js';
import { pullRequestEvent, pushEvent } from './events.js';
import { StepRunner, type Job, type StepResult } from './stepRunner.js';

const OWNER = 'acme';
const REPO = 'credit-models';
const MODEL = 'credit-risk';
const ARTIFACT = `candidate-${MODEL}`;
const STATUS = `modelship/gate (${MODEL})`;
const CHECK = `Modelship gate (${MODEL})`;
const MARKER = `<!-- modelship:evaluate/${MODEL} -->`;
const TAG = `${MODEL}-v1.0.0`;
/** What publish-model releases: every file of the release bundle, SHA256SUMS included. */
const RELEASE_ASSETS: string[] = Object.values(BUNDLE_FILES).sort();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Fails with the step's error and log when it threw, so a broken step says why. */
function expectSuccess(step: StepResult): StepResult {
  if (step.error) {
    throw new Error(`step failed: ${step.error.message}\n--- log ---\n${step.stdout.slice(-4000)}`);
  }
  return step;
}

let scratch: string;
let workspace: string;
let github: GitHubFake;
let results: ResultsService;
let runner: StepRunner;
let repo: FakeRepo;
let pr: FakePull;
/** The pull request's workflow run on GitHub (train + evaluate jobs). */
let prRun: FakeWorkflowRun;
let prJobs: { train: Job; evaluate: Job };
let releaseJob: Job;
/** main's head before the merge, the PR head, its test merge and the merge commit. */
let MAIN_BEFORE: string;
let PR_HEAD: string;
let PR_MERGE_REF: string;
let MERGE_COMMIT: string;
let firstPass: ReturnType<typeof inventory>;
let commentBefore: FakeComment;
let checkRunIds: number[];
/** The model the train step uploaded in the artifact, as bytes. */
let candidateBytes: Buffer;

/** Counts of everything a re-run must not duplicate. */
function inventory() {
  const statuses = github.statusesOn(repo, PR_HEAD);
  return {
    comments: github.commentsOn(repo, pr.number).length,
    statusContexts: [...new Set(statuses.map((s) => s.context))].sort(),
    checkRuns: github.checkRunsOn(repo, PR_HEAD).map((r) => r.name),
    releases: github.releasesOf(repo).map((r) => r.tag),
    artifacts: results.artifacts.filter((a) => a.finalized).map((a) => a.name),
    cacheEntries: results.cacheEntries.filter((e) => e.finalized).map((e) => e.key),
  };
}

beforeAll(async () => {
  // The trainer imports the compiled library, as a user's project does after `npm install`.
  buildCliIfStale();
  scratch = mkdtempSync(join(tmpdir(), 'modelship-e2e-'));
  workspace = join(scratch, 'checkout');
  checkoutExample(workspace);
  [github, results] = await Promise.all([GitHubFake.start(), ResultsService.start()]);
  repo = github.addRepo(OWNER, REPO);
  runner = new StepRunner({
    repository: `${OWNER}/${REPO}`,
    apiUrl: github.url,
    workspace,
    scratch: join(scratch, 'runner'),
  });
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([github?.close(), results?.stop()]);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('the three flows on the credit-risk example', () => {
  it('pull request opened: the data contract is checked', async () => {
    // alice pushes branch `better-model` with the project and opens PR #1; GitHub makes the
    // test merge refs/pull/1/merge and starts the PR's workflow run.
    const git = github.gitOf(repo);
    MAIN_BEFORE = git.refs.get('heads/main')!;
    PR_HEAD = commitOnBranch(git, {
      branch: 'better-model',
      from: 'main',
      files: Object.fromEntries(
        ['modelship.yml', 'train.mjs', 'data/schema.yml'].map((f) => [
          f,
          readFileSync(join(workspace, f), 'utf8'),
        ]),
      ),
      message: 'Train the first credit-risk model',
      date: github.now(),
    });
    PR_MERGE_REF = mergeCommit(git, {
      base: 'main',
      head: PR_HEAD,
      message: `Merge ${PR_HEAD} into ${MAIN_BEFORE}`,
      date: github.now(),
      advance: false,
    });
    pr = github.addPullRequest(repo, {
      author: 'alice',
      head: { ref: 'better-model', sha: PR_HEAD },
      base: { ref: 'main', sha: MAIN_BEFORE },
    });
    pr.title = 'Train the first credit-risk model';
    prRun = github.addWorkflowRun(repo, {
      headSha: PR_HEAD,
      headBranch: 'better-model',
      event: 'pull_request',
      conclusion: null,
    });
    const common = {
      event: 'pull_request',
      payload: pullRequestEvent(repo, pr),
      // A pull_request run checks out the merge ref, not the head.
      sha: PR_MERGE_REF,
      ref: `refs/pull/${pr.number}/merge`,
      runId: prRun.id,
      attempt: 1,
      env: results.env(),
    };
    prJobs = {
      // permissions: contents: read
      train: { ...common, token: github.actionsToken({ readOnly: true }) },
      // permissions: contents: read, pull-requests: write, statuses: write, checks: write
      evaluate: {
        ...common,
        token: github.actionsToken({ writes: ['issues', 'pull-requests', 'statuses', 'checks'] }),
      },
    };

    for (const data of ['', 'data/eval.csv']) {
      const step = expectSuccess(
        await runner.step('validate-data', validateData, prJobs.train, { data }),
      );
      expect(step.outputs.ok).toBe('true');
      expect(step.annotations).toEqual([]);
      expect(step.summary).toContain('✅ **Data contract passed**');
      expect(step.summary).toContain(data ? 'eval.csv' : 'train.csv');
      expect(existsSync(step.outputs.report!)).toBe(true);
    }
  }, 60_000);

  it('the model is trained, its dependency cache saved and the candidate uploaded', async () => {
    // A setup step of the GPU runner's job filled the trainer's dependency cache.
    const cacheDir = join(workspace, '.cache', 'trainer');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(join(cacheDir, 'wheels.txt'), 'dependencies the trainer downloaded\n');

    const step = expectSuccess(
      await runner.step('train', train, prJobs.train, { 'cache-paths': '.cache/trainer' }),
    );
    expect(step.outputs['model-path']).toBe(join(workspace, 'artifacts', 'model.onnx'));
    expect(step.outputs['gpu-count']).toBe('0');
    expect(step.outputs['cache-hit']).not.toBe('exact');
    expect(step.outputs['artifact-id']).toMatch(/^\d+$/);
    expect(step.summary).toContain(`## Modelship train · \`${MODEL}\``);
    expect(step.summary).toContain('### ✅ Trained in');
    expect(step.stdout).toMatch(/trained logistic regression on 700 rows × 26 features/);
    const manifest = JSON.parse(readFileSync(step.outputs.manifest!, 'utf8')) as {
      commit_sha: string;
      model: { sha256: string };
    };
    expect(manifest.commit_sha).toBe(PR_MERGE_REF);

    expect(results.artifacts.filter((a) => a.finalized).map((a) => a.name)).toEqual([ARTIFACT]);
    expect(results.cacheEntries.filter((e) => e.finalized)).toHaveLength(1);
    expect(results.violations).toEqual([]);
    candidateBytes = readFileSync(step.outputs['model-path']!);
    expect(sha256(candidateBytes)).toBe(manifest.model.sha256);
  }, 90_000);

  it('evaluate and gate: one report comment, the gate status and check run on the head', async () => {
    // Runner glue (actions/download-artifact in the evaluate job): the train job's artifact.
    const candidateDir = join(runner.runnerTemp(prJobs.evaluate), 'candidate');
    await runner.glue(prJobs.evaluate, async () => {
      const client = new DefaultArtifactClient();
      const { artifact } = await client.getArtifact(ARTIFACT);
      await client.downloadArtifact(artifact.id, { path: candidateDir });
    });
    expect(readdirSync(candidateDir).sort()).toEqual([
      'manifest.json',
      'metrics.json',
      'model.onnx',
    ]);
    expect(sha256(readFileSync(join(candidateDir, 'model.onnx')))).toBe(sha256(candidateBytes));

    const evaluated = expectSuccess(
      await runner.step('evaluate', evaluate, prJobs.evaluate, {
        model: join(candidateDir, 'model.onnx'),
      }),
    );
    expect(evaluated.outputs.passed).toBe('true');
    expect(evaluated.summary).toContain('no production model yet');
    expect(evaluated.summary).toMatch(/### ✅ Gate passed: \d+ checks/);
    expect(evaluated.annotations).toEqual([]);
    const comments = github.commentsOn(repo, pr.number);
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain(MARKER);
    expect(comments[0]!.body).toContain('roc_auc');
    expect(comments[0]!.body).toMatch(/### ✅ Gate passed/);
    expect(comments[0]!.user.login).toBe('github-actions[bot]');
    expect(evaluated.outputs['comment-url']).toContain(`#issuecomment-${comments[0]!.id}`);

    const gated = expectSuccess(
      await runner.step('gate', gate, prJobs.evaluate, { report: evaluated.outputs.report! }),
    );
    expect(gated.outputs.passed).toBe('true');
    expect(gated.summary).toMatch(/### ✅ Gate passed: \d+ checks/);

    // Statuses and check runs belong on the PR head, never on the merge ref the run checked out.
    expect(github.statusesOn(repo, PR_MERGE_REF)).toEqual([]);
    const statuses = github.statusesOn(repo, PR_HEAD);
    expect(new Set(statuses.map((s) => s.context))).toEqual(new Set([STATUS]));
    expect(statuses.at(-1)!.state).toBe('success');
    const checks = github.checkRunsOn(repo, PR_HEAD);
    expect(checks.map((c) => [c.name, c.status, c.conclusion])).toEqual([
      [CHECK, 'completed', 'success'],
    ]);
    expect(github.commentsOn(repo, pr.number)).toHaveLength(1);
    checkRunIds = checks.map((c) => c.id);
  }, 60_000);

  it('merge: one release with every asset, exactly the evaluated candidate', async () => {
    // GitHub: the workflow run of the PR head completes; its artifacts are listed on the run.
    // The zip is the one the train step uploaded to the results service (Azurite).
    await registerRunArtifacts();
    prRun.status = 'completed';
    prRun.conclusion = 'success';
    // GitHub: a reviewer merges PR #1; main moves to the merge commit, which is pushed.
    MERGE_COMMIT = mergeCommit(github.gitOf(repo), {
      base: 'main',
      head: PR_HEAD,
      message: `Merge pull request #${pr.number} from ${OWNER}/better-model`,
      date: github.now(),
      advance: true,
    });
    pr.state = 'closed';
    pr.mergeCommitSha = MERGE_COMMIT;
    pr.mergedAt = github.now();
    const pushRun = github.addWorkflowRun(repo, {
      headSha: MERGE_COMMIT,
      headBranch: 'main',
      event: 'push',
      conclusion: null,
    });
    releaseJob = {
      event: 'push',
      payload: pushEvent(repo, {
        before: MAIN_BEFORE,
        after: MERGE_COMMIT,
        time: '2024-05-02T10:00:00Z',
      }),
      sha: MERGE_COMMIT,
      ref: 'refs/heads/main',
      runId: pushRun.id,
      attempt: 1,
      // permissions: contents: write, actions: read, pull-requests: read
      token: github.actionsToken({ writes: ['contents'] }),
      env: results.env(),
    };

    const step = expectSuccess(await runner.step('publish-model', publishModel, releaseJob));
    expect(step.outputs).toEqual({
      tag: TAG,
      version: '1.0.0',
      'release-url': `https://github.com/${OWNER}/${REPO}/releases/tag/${TAG}`,
    });
    expect(step.summary).toContain('Published');
    expect(step.summary).toContain(`PR #${pr.number}`);

    const [release, ...others] = github.releasesOf(repo);
    expect(others).toEqual([]);
    expect(release!).toMatchObject({ tag: TAG, draft: false, prerelease: false });
    expect(release!.targetCommitish).toBe(MERGE_COMMIT);
    expect(release!.assets.map((a) => a.name).sort()).toEqual(RELEASE_ASSETS);
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

  it('re-run of the pull request run (Re-run all jobs): the cache restores, the report updates', async () => {
    firstPass = inventory();
    commentBefore = { ...github.commentsOn(repo, pr.number)[0]! };
    // GitHub: "Re-run all jobs" on PR #1's run: the same run and event, attempt 2, new runners.
    const again = (job: Job): Job => ({ ...job, attempt: 2 });
    const jobs = { train: again(prJobs.train), evaluate: again(prJobs.evaluate) };
    // A fresh runner: the trainer's dependency cache is not on disk until the cache restores it.
    rmSync(join(workspace, '.cache'), { recursive: true, force: true });
    rmSync(join(workspace, 'artifacts'), { recursive: true, force: true });

    for (const data of ['', 'data/eval.csv']) {
      const step = expectSuccess(
        await runner.step('validate-data', validateData, jobs.train, { data }),
      );
      expect(step.outputs.ok).toBe('true');
    }
    const trained = expectSuccess(
      await runner.step('train', train, jobs.train, { 'cache-paths': '.cache/trainer' }),
    );
    expect(trained.outputs['cache-hit']).toBe('exact');
    expect(readFileSync(join(workspace, '.cache', 'trainer', 'wheels.txt'), 'utf8')).toContain(
      'dependencies',
    );
    // The same data and trainer give the same model, byte for byte.
    expect(sha256(readFileSync(trained.outputs['model-path']!))).toBe(sha256(candidateBytes));

    const candidateDir = join(runner.runnerTemp(jobs.evaluate), 'candidate');
    await runner.glue(jobs.evaluate, async () => {
      const client = new DefaultArtifactClient();
      const { artifact } = await client.getArtifact(ARTIFACT);
      await client.downloadArtifact(artifact.id, { path: candidateDir });
    });
    const evaluated = expectSuccess(
      await runner.step('evaluate', evaluate, jobs.evaluate, {
        model: join(candidateDir, 'model.onnx'),
      }),
    );
    expect(evaluated.outputs.passed).toBe('true');
    // Production is now the release the merge made: the report compares with it.
    expect(evaluated.summary).toContain(`production ${TAG}`);
    const gated = expectSuccess(
      await runner.step('gate', gate, jobs.evaluate, { report: evaluated.outputs.report! }),
    );
    expect(gated.outputs.passed).toBe('true');

    const comments = github.commentsOn(repo, pr.number);
    expect(comments.map((c) => c.id)).toEqual([commentBefore.id]);
    expect(comments[0]!.body).toContain(`production ${TAG}`);
    expect(comments[0]!.updatedAt > commentBefore.updatedAt).toBe(true);
    expect(github.checkRunsOn(repo, PR_HEAD).map((r) => r.id)).toEqual(checkRunIds);
    await registerRunArtifacts();
  }, 90_000);

  it('re-run of the push to main: the release stays as it is', async () => {
    const release = github.releasesOf(repo)[0]!;
    const assets = release.assets.map((a) => [a.id, a.name, a.digest]);
    const step = expectSuccess(
      await runner.step('publish-model', publishModel, { ...releaseJob, attempt: 2 }),
    );
    expect(step.outputs.tag).toBe(TAG);
    expect(step.summary).toContain('Already published');
    expect(github.releasesOf(repo).map((r) => r.id)).toEqual([release.id]);
    expect(release.assets.map((a) => [a.id, a.name, a.digest])).toEqual(assets);
  }, 60_000);

  it('nothing is duplicated, only updated; nothing broke GitHub’s API description', () => {
    const now = inventory();
    expect(now).toEqual(firstPass);
    expect(now).toMatchObject({
      comments: 1,
      statusContexts: [STATUS],
      checkRuns: [CHECK],
      releases: [TAG],
      artifacts: [ARTIFACT],
    });
    // Statuses are append-only on GitHub: the latest of the context is what branch protection reads.
    const latest = github.statusesOn(repo, PR_HEAD).at(-1)!;
    expect(latest).toMatchObject({ context: STATUS, state: 'success' });
    expect(github.violations).toEqual([]);
    expect(results.violations).toEqual([]);
  });
});

/**
 * Runner glue: the artifacts the PR's run uploaded (in the results service) as GitHub lists them
 * on the workflow run, replacing one of the same name as a re-run attempt's upload does.
 */
async function registerRunArtifacts(): Promise<void> {
  for (const stored of results.artifacts.filter((a) => a.finalized)) {
    const zip = await results.artifactBlob(stored);
    prRun.artifacts = prRun.artifacts.filter((a) => a.name !== stored.name);
    prRun.artifacts.push({
      id: stored.id,
      name: stored.name,
      zip,
      expired: false,
      createdAt: github.now(),
    });
  }
}
