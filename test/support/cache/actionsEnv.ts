import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { vi } from 'vitest';

/** Variables a runner may set that would change how the cache and artifact clients behave. */
const CLEARED = [
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_MODE',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY',
  'ACTIONS_ARTIFACT_UPLOAD_TIMEOUT_MS',
  'GITHUB_RETENTION_DAYS',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'RUNNER_DEBUG',
];

/**
 * Points the Actions toolkit at `env` and at a workspace and runner temp directory below `root`
 * (created here). Returns a function that puts process.env back as it was.
 */
export function setActionsEnv(env: Record<string, string>, root: string): () => void {
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(runnerTemp, { recursive: true });
  const vars: Record<string, string | undefined> = {
    ...Object.fromEntries(CLEARED.map((name) => [name, undefined])),
    ...env,
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
  };
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  return () => apply(previous);
}

/**
 * Captures what @actions/core writes to stdout (log lines and `::warning::`-style commands) so
 * tests can assert on warnings and keep their output quiet. Call `restore` in afterAll.
 */
export function captureActionsLog(): { lines: string[]; warnings(): string[]; restore(): void } {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    lines.push(...String(chunk).split(/\r?\n/).filter(Boolean));
    return true;
  });
  return {
    lines,
    warnings: () => lines.filter((line) => line.startsWith('::warning')),
    restore: () => spy.mockRestore(),
  };
}
