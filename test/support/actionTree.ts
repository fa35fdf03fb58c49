/**
 * Runs a released action tree the way a GitHub runner does: `runs.main` of an action.yml under
 * Node 24, INPUT_* from the inputs given and the action.yml defaults, and the runner's
 * GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP and RUNNER_TOOL_CACHE.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface ActionRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout without the `::add-mask::` commands, which the runner consumes. */
  shown: string;
  outputs: Record<string, string>;
  summary: string;
  workspace: string;
  runnerTemp: string;
}

export interface RunnerSetup {
  /** The node binary the runner uses for `using: node24`. */
  node: string;
  /** Where each run gets its RUNNER_TEMP and output files. */
  scratch: string;
  /** The token `${{ github.token }}` defaults stand for. */
  token: string;
  /** Environment every run gets (tool cache, runtime URL, results service…). */
  env?: Record<string, string>;
}

/** Reads an action.yml: the script the runner starts and the INPUT_* it sets from defaults. */
export function actionOf(
  actionYml: string,
  token: string,
): { using: string; main: string; env: Record<string, string> } {
  const spec = parse(readFileSync(actionYml, 'utf8')) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; main: string };
  };
  const env: Record<string, string> = {};
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (input.default === undefined) continue;
    // The runner evaluates expressions in defaults; github.token is the only one used.
    const value = input.default.replace(/\$\{\{\s*github\.token\s*\}\}/g, token);
    if (value.includes('${{')) throw new Error(`${actionYml}: input ${name} has an expression`);
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
  return { using: spec.runs.using, main: resolve(dirname(actionYml), spec.runs.main), env };
}

/** Parses the GITHUB_OUTPUT file: `name<<delimiter`, value lines, `delimiter`. */
export function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const match = /^([^<]+)<<(.+)$/.exec(line);
    if (!match) throw new Error(`unexpected GITHUB_OUTPUT line: ${line}`);
    const [, name, delimiter] = match;
    const end = lines.indexOf(delimiter!, i + 1);
    if (end < 0) throw new Error(`unterminated output ${name}`);
    outputs[name!] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/** Runs an action.yml's `runs.main` as the runner does, without blocking this process. */
export async function runAction(
  setup: RunnerSetup,
  actionYml: string,
  workspace: string,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const { main, env: defaults } = actionOf(actionYml, setup.token);
  const runnerTemp = mkdtempSync(join(setup.scratch, 'runner-temp-'));
  const files = mkdtempSync(join(setup.scratch, 'files-'));
  mkdirSync(files, { recursive: true });
  const outputFile = join(files, 'output');
  const summaryFile = join(files, 'summary');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const child = spawn(setup.node, [main], {
    cwd: workspace,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...defaults,
      ...inputs,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: runnerTemp,
      ...setup.env,
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  const status = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(timer);
  const shown = stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  return {
    status,
    stdout,
    stderr,
    shown,
    outputs: parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workspace,
    runnerTemp,
  };
}
