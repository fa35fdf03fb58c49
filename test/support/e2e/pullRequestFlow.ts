/**
 * The pull-request flow of workflows-templates/pr.yml as the runner runs it, in one workflow run
 * of the PR's event: a `validate-data` job, a `train` job on the GPU runner (train with its cache
 * and the candidate artifact) and an `evaluate` job (download the artifact, evaluate). The
 * evaluate job here also runs the gate action on evaluate's report, as a workflow that gates on
 * a report made elsewhere would: it must leave the status evaluate set as it is.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultArtifactClient } from '@actions/artifact';
import { run as evaluate } from '../../../src/actions/evaluate/main.js';
import { run as gate } from '../../../src/actions/gate/main.js';
import { run as train } from '../../../src/actions/train/main.js';
import { run as validateData } from '../../../src/actions/validate-data/main.js';
import type { ResultsService } from '../cache/resultsService.js';
import type { FakePull, FakeRepo, FakeWorkflowRun } from '../github/fakeEntities.js';
import type { GitHubFake } from '../github/githubFake.js';
import { pullRequestEvent } from './events.js';
import type { Job, StepResult, StepRunner } from './stepRunner.js';

/** What the trainer's dependency cache holds, relative to the workspace (cache-paths). */
export const CACHE_PATH = '.cache/trainer';

/** One workflow run of a pull request's `pull_request` event, and its two jobs. */
export interface PullRequestRun {
  pr: FakePull;
  /** The run as GitHub lists it (artifacts appear on it once uploaded). */
  run: FakeWorkflowRun;
  /** permissions: contents: read. */
  validate: Job;
  /** permissions: contents: read (the GPU runner's job). */
  train: Job;
  /** permissions: contents: read, pull-requests: write, statuses: write, checks: write. */
  evaluate: Job;
  /** The results service (cache and artifacts) of this run. */
  results: ResultsService;
}

/** GitHub starting the `pull_request` workflow run of `pr`, which checks out `mergeRef`. */
export function startPullRequestRun(
  github: GitHubFake,
  repo: FakeRepo,
  options: { pr: FakePull; mergeRef: string; results: ResultsService },
): PullRequestRun {
  const { pr, results } = options;
  const run = github.addWorkflowRun(repo, {
    headSha: pr.head.sha,
    headBranch: pr.head.ref,
    event: 'pull_request',
    conclusion: null,
  });
  const common = {
    event: 'pull_request',
    payload: pullRequestEvent(repo, pr),
    // A pull_request run checks out the test merge refs/pull/N/merge, not the head.
    sha: options.mergeRef,
    ref: `refs/pull/${pr.number}/merge`,
    runId: run.id,
    attempt: 1,
    env: results.env(),
  };
  return {
    pr,
    run,
    results,
    validate: { ...common, token: github.actionsToken({ readOnly: true }) },
    train: { ...common, token: github.actionsToken({ readOnly: true }) },
    evaluate: {
      ...common,
      // pr.yml's evaluate job: pull-requests (the comment), statuses, checks; contents: read.
      token: github.actionsToken({ writes: ['pull-requests', 'statuses', 'checks'] }),
    },
  };
}

/** "Re-run all jobs": the same run and event, the next attempt, fresh runners. */
export function rerun(prRun: PullRequestRun): PullRequestRun {
  const next = (job: Job): Job => ({ ...job, attempt: job.attempt + 1 });
  return {
    ...prRun,
    validate: next(prRun.validate),
    train: next(prRun.train),
    evaluate: next(prRun.evaluate),
  };
}

export interface PullRequestFlow {
  validated: StepResult;
  trained: StepResult;
  evaluation: Evaluation;
}

export interface Evaluation {
  /** The files the evaluate job downloaded from the candidate artifact. */
  downloaded: string[];
  candidate: Buffer;
  evaluated: StepResult;
  gated: StepResult;
}

/** The validate-data job: pr.yml's `data` input is empty by default (data.train). */
export async function validateJob(runner: StepRunner, prRun: PullRequestRun) {
  return succeeded(await runner.step('validate-data', validateData, prRun.validate, { data: '' }));
}

/** The train job's train step, with the trainer's dependency cache. */
export async function trainStep(runner: StepRunner, prRun: PullRequestRun) {
  return succeeded(await runner.step('train', train, prRun.train, { 'cache-paths': CACHE_PATH }));
}

/** The evaluate job: the candidate artifact downloaded, evaluate, then gate on its report. */
export async function evaluateJob(
  runner: StepRunner,
  prRun: PullRequestRun,
  artifactName: string,
): Promise<Evaluation> {
  // Runner glue: actions/download-artifact fetches the train job's artifact (pr.yml then finds
  // the one .onnx file in it with a shell step).
  const candidateDir = join(runner.runnerTemp(prRun.evaluate), 'candidate');
  await runner.glue(prRun.evaluate, async () => {
    const client = new DefaultArtifactClient();
    const { artifact } = await client.getArtifact(artifactName);
    await client.downloadArtifact(artifact.id, { path: candidateDir });
  });
  const model = join(candidateDir, 'model.onnx');
  const evaluated = succeeded(await runner.step('evaluate', evaluate, prRun.evaluate, { model }));
  const gated = succeeded(
    await runner.step('gate', gate, prRun.evaluate, { report: evaluated.outputs.report! }),
  );
  return {
    downloaded: readdirSync(candidateDir).sort(),
    candidate: readFileSync(model),
    evaluated,
    gated,
  };
}

/**
 * Both jobs' steps in order. A step that fails stops the flow with its error and log, as the
 * runner skips the steps after a failed one.
 */
export async function runPullRequestFlow(
  runner: StepRunner,
  prRun: PullRequestRun,
  artifactName: string,
): Promise<PullRequestFlow> {
  const validated = await validateJob(runner, prRun);
  const trained = await trainStep(runner, prRun);
  return { validated, trained, evaluation: await evaluateJob(runner, prRun, artifactName) };
}

/**
 * Runner glue: the run completes and GitHub lists the artifacts it uploaded (held by the results
 * service in Azurite) on it; an upload of a later attempt replaces the earlier one of its name.
 */
export async function completeRun(github: GitHubFake, prRun: PullRequestRun): Promise<void> {
  const { run, results } = prRun;
  for (const stored of results.artifacts.filter((a) => a.finalized)) {
    const zip = await results.artifactBlob(stored);
    run.artifacts = run.artifacts.filter((a) => a.name !== stored.name);
    run.artifacts.push({
      id: github.nextId(),
      name: stored.name,
      zip,
      expired: false,
      createdAt: github.now(),
    });
  }
  run.status = 'completed';
  run.conclusion = 'success';
}

/** The step's result, or its error with the end of its log. */
export function succeeded(step: StepResult): StepResult {
  if (step.error) {
    throw new Error(`step failed: ${step.error.message}\n--- log ---\n${step.stdout.slice(-4000)}`);
  }
  return step;
}
