/**
 * `modelship …` run in-process against the GitHub fake (which answers on this process's event
 * loop, so a child process would block it), with a token for it in GITHUB_TOKEN and what the
 * command writes captured. `useCliEnvironment` restores the variables it sets after each test.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { GitHubFake } from './githubFake.js';

const ENV_KEYS = ['GITHUB_API_URL', 'GITHUB_TOKEN', 'GH_TOKEN', 'GITHUB_REPOSITORY'] as const;

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  token: string;
}

/** Clears the GitHub variables before each test and restores them after it. */
export function useCliEnvironment(): void {
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const key of ENV_KEYS) {
      saved.set(key, process.env[key]);
      delete process.env[key];
    }
  });
  afterEach(() => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });
}

/** Runs the CLI with `args` on repository acme/models of the fake; `env` overrides (undefined unsets). */
export async function cliAgainstFake(
  github: GitHubFake,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  const token = github.userToken('octocat');
  const settings: Record<string, string | undefined> = {
    GITHUB_API_URL: github.url,
    GITHUB_TOKEN: token,
    GITHUB_REPOSITORY: 'acme/models',
    ...env,
  };
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(args), stdout, stderr, token };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
