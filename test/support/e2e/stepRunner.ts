/**
 * Runs an action's run() in process the way the runner runs a step: INPUT_* from the action's
 * action.yml defaults (`${{ github.token }}` → the job's token) overridden by the step's `with:`,
 * the GITHUB_* / RUNNER_* / ACTIONS_* variables of its job, GITHUB_OUTPUT and the job summary in
 * files, stdout (log lines and workflow commands such as annotations) captured. process.env is put
 * back after every step, so steps share nothing but the files and services they share on GitHub.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from '../cli.js';

/** A job: the event that triggered its workflow run and what the runner gives each step. */
export interface Job {
  /** GITHUB_EVENT_NAME. */
  event: string;
  /** The event payload, written to GITHUB_EVENT_PATH. */
  payload: unknown;
  /** GITHUB_SHA: the commit the job checked out. */
  sha: string;
  /** GITHUB_REF. */
  ref: string;
  runId: number;
  /** GITHUB_RUN_ATTEMPT: 2 and more on "Re-run all jobs". */
  attempt: number;
  /** The job's GITHUB_TOKEN (scoped by the workflow's `permissions:`). */
  token: string;
  /** Further variables, e.g. the results service's ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL. */
  env?: Record<string, string>;
}

/** What one step left: outputs, summary, stdout, and the error its run() threw, if any. */
export interface StepResult {
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  /** `::error …::` / `::warning …::` / `::notice …::` lines. */
  annotations: string[];
  error?: Error;
}

export interface StepRunnerOptions {
  repository: string;
  apiUrl: string;
  /** GITHUB_WORKSPACE: the checkout every job shares. */
  workspace: string;
  /** A directory for RUNNER_TEMP (fresh per job run), outputs, events and the summary. */
  scratch: string;
}

/** The action.yml defaults of actions/<step>, as INPUT_* values (unset ones are empty). */
function actionDefaults(step: string, token: string): Record<string, string> {
  const file = join(ROOT, 'actions', step, 'action.yml');
  const yml = parse(readFileSync(file, 'utf8')) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(yml.inputs ?? {})) {
    const value = input.default === undefined ? '' : String(input.default);
    inputs[name] = value.replace(/\$\{\{\s*github\.token\s*\}\}/g, token);
  }
  return inputs;
}

export class StepRunner {
  private readonly summaryFile: string;
  private steps = 0;
  private jobTemp = new WeakMap<Job, string>();

  constructor(private readonly options: StepRunnerOptions) {
    mkdirSync(options.scratch, { recursive: true });
    // @actions/core caches the summary path on its first write: one file, emptied per step.
    this.summaryFile = join(options.scratch, 'step-summary.md');
    writeFileSync(this.summaryFile, '');
  }

  /** RUNNER_TEMP of a job: empty when the job starts, kept across its steps. */
  runnerTemp(job: Job): string {
    let dir = this.jobTemp.get(job);
    if (!dir) {
      dir = mkdtempSync(join(this.options.scratch, 'runner-temp-'));
      this.jobTemp.set(job, dir);
    }
    return dir;
  }

  /**
   * Runs `run` as the step `uses: modelship/actions/<action>` with `inputs` in `job`. A step that
   * throws is returned with its `error` (the runner would mark it failed), never rethrown.
   */
  async step(
    action: string,
    run: () => Promise<void>,
    job: Job,
    inputs: Record<string, string> = {},
  ): Promise<StepResult> {
    return this.within(job, { ...actionDefaults(action, job.token), ...inputs }, run);
  }

  /** Runs runner glue (e.g. actions/download-artifact) with the job's environment and no inputs. */
  async glue<T>(job: Job, work: () => Promise<T>): Promise<T> {
    let value: T | undefined;
    const result = await this.within(job, {}, async () => {
      value = await work();
    });
    if (result.error) throw result.error;
    return value as T;
  }

  private async within(
    job: Job,
    inputs: Record<string, string>,
    run: () => Promise<void>,
  ): Promise<StepResult> {
    const n = ++this.steps;
    const runnerTemp = this.runnerTemp(job);
    const outputFile = join(this.options.scratch, `output-${n}`);
    const eventFile = join(this.options.scratch, `event-${n}.json`);
    writeFileSync(outputFile, '');
    writeFileSync(this.summaryFile, '');
    writeFileSync(eventFile, JSON.stringify(job.payload, null, 2));

    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) {
      if (/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(key)) delete process.env[key];
    }
    Object.assign(process.env, {
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_REPOSITORY: this.options.repository,
      GITHUB_REPOSITORY_OWNER: this.options.repository.split('/')[0],
      GITHUB_API_URL: this.options.apiUrl,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: job.event,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_SHA: job.sha,
      GITHUB_REF: job.ref,
      GITHUB_RUN_ID: String(job.runId),
      GITHUB_RUN_ATTEMPT: String(job.attempt),
      GITHUB_WORKSPACE: this.options.workspace,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: this.summaryFile,
      RUNNER_TEMP: runnerTemp,
      RUNNER_OS: 'Linux',
      // The fake has no secondary rate limits: no pause between writes.
      MODELSHIP_GITHUB_PACE_WRITES: 'false',
      ...job.env,
    });
    for (const [name, value] of Object.entries(inputs)) {
      process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
    }

    // The runner starts a node action in the workspace: relative paths (cache paths) resolve there.
    const cwd = process.cwd();
    process.chdir(this.options.workspace);
    const captured: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      captured.push(String(chunk));
      return true;
    });
    let error: Error | undefined;
    try {
      await run();
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    } finally {
      spy.mockRestore();
      process.chdir(cwd);
      for (const key of Object.keys(process.env)) {
        if (!(key in saved)) delete process.env[key];
      }
      Object.assign(process.env, saved);
    }
    const stdout = captured.join('');
    return {
      outputs: readOutputs(outputFile),
      summary: readFileSync(this.summaryFile, 'utf8'),
      stdout,
      annotations: stdout.split(/\r?\n/).filter((line) => /^::(error|warning|notice)\b/.test(line)),
      ...(error ? { error } : {}),
    };
  }
}

/** GITHUB_OUTPUT as @actions/core writes it: `name<<delimiter\nvalue\ndelimiter`. */
function readOutputs(file: string): Record<string, string> {
  const found: Record<string, string> = {};
  const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n?\2$/gm;
  for (const [, name, , value] of readFileSync(file, 'utf8').matchAll(pattern)) {
    found[name!] = value!;
  }
  return found;
}
