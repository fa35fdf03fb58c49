/**
 * Runs the container tools (docker, podman, buildah, skopeo) with an environment the caller
 * passes in: core/ never reads process.env, so the action and the CLI decide what the tools see
 * (CONTAINERS_CONF, REGISTRY_AUTH_FILE, DOCKER_CONFIG).
 */
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ModelshipError } from '../errors.js';

export type ToolEnv = Record<string, string | undefined>;

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ToolRunOptions {
  env: ToolEnv;
  input?: string;
  /** Each output line as it comes (build logs). */
  onLine?: (line: string) => void;
  timeoutMs?: number;
}

/** The executable's path on env.PATH, or undefined. */
export function findExecutable(name: string, env: ToolEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/** Runs a tool to its end; a spawn failure is exit code null with the reason in stderr. */
export function runTool(
  command: string,
  args: readonly string[],
  options: ToolRunOptions,
): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let pending = '';
    const lines = (chunk: Buffer) => {
      if (!options.onLine) return;
      pending += chunk.toString('utf8');
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) options.onLine(line);
    };
    child.stdout.on('data', (chunk: Buffer) => (out.push(chunk), lines(chunk)));
    child.stderr.on('data', (chunk: Buffer) => (err.push(chunk), lines(chunk)));
    const timer = options.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
      : undefined;
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: '', stderr: error.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (pending && options.onLine) options.onLine(pending);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Runs a tool and throws one sentence naming the command, its last error line and what to do. */
export async function runToolOrThrow(
  command: string,
  args: readonly string[],
  options: ToolRunOptions & { what: string; hint: string },
): Promise<ToolResult> {
  const result = await runTool(command, args, options);
  if (result.code === 0) return result;
  const last = lastLine(result.stderr) || lastLine(result.stdout) || 'no output';
  const name = command.split('/').pop();
  throw new ModelshipError(
    `${name} ${args[0] ?? ''} failed while ${options.what} (${result.code === null ? 'did not run' : `exit ${result.code}`}: ${last}); ${options.hint}.`,
  );
}

/** The last non-empty line of a tool's output, trimmed to a sentence's length. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.at(-1) ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
