import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(ROOT, 'lib', 'cli', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory()
        ? newestMtime(path)
        : entry.name.endsWith('.ts')
          ? statSync(path).mtimeMs
          : 0,
    );
  }
  return newest;
}

/** Compiles src → lib when lib/cli/main.js is missing or older than a source file. */
export function buildCliIfStale(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  // Type errors elsewhere in src still emit JavaScript; only a missing entry point is fatal.
  if (!existsSync(MAIN)) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
}

/** The outcome of one `modelship` run. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/modelship.js …` in `cwd`, as a user would. */
export function runCli(args: string[], cwd: string): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'modelship.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, MODELSHIP_DEBUG: '' },
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A bad input's answer: exit 2, one line on stderr matching `message`, nothing on stdout, and no
 * stack trace, "unexpected error" or SQL from the engine underneath.
 */
export function expectOneSentence(result: CliResult, message: RegExp): void {
  expect(result.stderr).not.toMatch(/\n\s+at |unexpected error|Binder|SELECT|Candidate/i);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.stdout).toBe('');
  expect(result.code).toBe(2);
}
