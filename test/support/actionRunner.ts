/**
 * Running an action's run() in process as the runner would: INPUT_* from action.yml's defaults,
 * GITHUB_* and a pull_request event payload for a repository on the GitHub fake, GITHUB_OUTPUT
 * and the job summary in files, stdout (annotations) captured.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, vi } from 'vitest';
import type { FakePull, FakeRepo } from './github/fakeEntities.js';
import type { GitHubFake } from './github/githubFake.js';

/** The PR head commit, where statuses and check runs belong. */
export const HEAD_SHA = 'a1b2c3d4'.repeat(5);
/** The merge commit a `pull_request` run checks out (GITHUB_SHA). */
export const MERGE_SHA = 'f9e8d7c6'.repeat(5);
/** The default branch's head, which a `workflow_run` run checks out. */
export const DEFAULT_BRANCH_SHA = '0badc0de'.repeat(5);
export const OWNER = 'owner';

export type RunEvent = 'pull_request' | 'workflow_run';
export const REPO = 'repo';
export const ZWSP = '\u200b';

export interface ActionRun {
  /** The workspace (GITHUB_WORKSPACE), fresh for each test. */
  workspace(): string;
  runnerTemp(): string;
  /** GITHUB_OUTPUT as name → value. */
  outputs(): Record<string, string>;
  summary(): string;
  stdout(): string;
  /** Empties GITHUB_OUTPUT, the job summary and the captured stdout (between runs of a test). */
  clear(): void;
  setInputs(inputs: Record<string, string>): void;
}

/** What the runner passes from actions/evaluate/action.yml's defaults. */
export const EVALUATE_INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  MODEL: '',
  DATA: '',
  BASELINE: 'production',
  COMMENT: 'true',
  'FAIL-ON-GATE': 'true',
  CONFIG: 'modelship.yml',
  'WORKING-DIRECTORY': '.',
  'REPORT-PATH': '',
};

/** Environment, files and stdout capture for an action's run(); `defaults` are its INPUT_*s. */
export function useActionRun(defaults: Record<string, string>): ActionRun {
  let scratch = '';
  let summaryFile = '';
  let workspace = '';
  let runnerTemp = '';
  let outputFile = '';
  let captured: string[] = [];
  const savedEnv = { ...process.env };

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'modelship-action-'));
    // @actions/core caches the summary path on first write, so one file serves every test.
    summaryFile = join(scratch, 'summary.md');
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const clear = () => {
    writeFileSync(outputFile, '');
    writeFileSync(summaryFile, '');
    captured = [];
  };
  const setInputs = (inputs: Record<string, string>) => {
    for (const [name, value] of Object.entries(inputs)) {
      process.env[`INPUT_${name.toUpperCase()}`] = value;
    }
  };

  beforeEach(() => {
    workspace = mkdtempSync(join(scratch, 'ws-'));
    runnerTemp = mkdtempSync(join(scratch, 'runner-temp-'));
    outputFile = join(runnerTemp, 'output');
    for (const key of Object.keys(process.env)) {
      if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) delete process.env[key];
    }
    Object.assign(process.env, {
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
    });
    setInputs(defaults);
    clear();
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      captured.push(String(chunk));
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
    for (const key of Object.keys(process.env)) {
      if (!(key in savedEnv)) delete process.env[key];
    }
    Object.assign(process.env, savedEnv);
  });

  return {
    workspace: () => workspace,
    runnerTemp: () => runnerTemp,
    outputs: () => {
      const found: Record<string, string> = {};
      const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n?\2$/gm;
      for (const [, name, , value] of readFileSync(outputFile, 'utf8').matchAll(pattern)) {
        found[name!] = value!;
      }
      return found;
    },
    summary: () => readFileSync(summaryFile, 'utf8'),
    stdout: () => captured.join(''),
    clear,
    setInputs,
  };
}

export interface PullRequestSetup {
  repo: FakeRepo;
  pr: FakePull;
  token: string;
}

/**
 * owner/repo on the fake with one open pull request whose head is HEAD_SHA (from a fork when
 * `fork`), and the GITHUB_* variables and event payload of its `pull_request` run.
 */
export function pullRequestRun(
  github: GitHubFake,
  options: { token: string; fork?: boolean; runId?: number; event?: RunEvent },
): PullRequestSetup {
  const repo = github.addRepo(OWNER, REPO);
  const headRepo = options.fork ? github.addRepo('mallory', REPO, { forkOf: repo }) : repo;
  const pr = github.addPullRequest(repo, {
    author: options.fork ? 'mallory' : 'alice',
    head: { repo: headRepo, ref: 'retrain', sha: HEAD_SHA },
  });
  const repository = (r: FakeRepo) => ({
    id: r.id,
    name: r.name,
    full_name: `${r.owner.login}/${r.name}`,
    owner: { login: r.owner.login, id: r.owner.id, type: r.owner.type },
    fork: r.parent !== undefined,
    private: false,
  });
  const pullRequestPayload = {
    action: 'synchronize',
    number: pr.number,
    pull_request: {
      number: pr.number,
      state: 'open',
      title: pr.title,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${pr.number}`,
      user: { login: pr.user.login },
      head: {
        label: `${headRepo.owner.login}:retrain`,
        ref: 'retrain',
        sha: HEAD_SHA,
        repo: repository(headRepo),
      },
      base: { label: `${OWNER}:main`, ref: 'main', sha: 'b'.repeat(40), repo: repository(repo) },
    },
    repository: repository(repo),
    sender: { login: pr.user.login },
  };
  // The companion workflow a `pull_request` run's completion triggers, in the base repository.
  // GitHub lists no pull_requests on it when the head is in a fork.
  const workflowRunPayload = {
    action: 'completed',
    workflow_run: {
      id: 77,
      name: 'evaluate',
      event: 'pull_request',
      status: 'completed',
      conclusion: 'success',
      head_branch: 'retrain',
      head_sha: HEAD_SHA,
      pull_requests: options.fork ? [] : [{ number: pr.number, head: { sha: HEAD_SHA } }],
      head_repository: repository(headRepo),
      repository: repository(repo),
    },
    repository: repository(repo),
    sender: { login: pr.user.login },
  };
  const workflowRun = options.event === 'workflow_run';
  const eventPath = join(process.env.RUNNER_TEMP!, 'event.json');
  const payload = workflowRun ? workflowRunPayload : pullRequestPayload;
  writeFileSync(eventPath, JSON.stringify(payload, null, 2));
  Object.assign(process.env, {
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_EVENT_NAME: workflowRun ? 'workflow_run' : 'pull_request',
    GITHUB_EVENT_PATH: eventPath,
    // A workflow_run run checks out the default branch; a pull_request run the merge commit.
    GITHUB_SHA: workflowRun ? DEFAULT_BRANCH_SHA : MERGE_SHA,
    GITHUB_REF: workflowRun ? 'refs/heads/main' : `refs/pull/${pr.number}/merge`,
    GITHUB_RUN_ID: String(options.runId ?? 9001),
    MODELSHIP_GITHUB_PACE_WRITES: 'false',
    'INPUT_GITHUB-TOKEN': options.token,
  });
  return { repo, pr, token: options.token };
}

export { cellSeparators, inlineParts } from './markdownReading.js';
