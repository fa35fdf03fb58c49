/** What git says changed between two commits, read with the git command line. */
import { spawnSync } from 'node:child_process';
import { ModelshipError } from '../errors.js';

/** A base that is all zeros: a push that created the branch, with nothing to compare with. */
export const NO_COMMIT = /^0+$/;

export interface ChangedFile {
  /** git's status letter: A, M, D, R (renamed), C (copied), T (type changed). */
  status: string;
  path: string;
  /** For a rename or copy: where the file was. */
  from?: string;
}

/** Runs git in `cwd`; a failure is one sentence naming the call. */
export function git(cwd: string, args: string[]): string {
  const result = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error)
    throw new ModelshipError(
      `git ${args[0]} could not run (${result.error.message}); install git and run from a clone.`,
    );
  if (result.status !== 0)
    throw new ModelshipError(
      `git ${args.join(' ')} failed in ${cwd}: ${result.stderr.trim().split('\n')[0] ?? ''}`,
    );
  return result.stdout;
}

/** The full SHA of `ref`, or an error telling what `flag` needs. */
export function resolveCommit(cwd: string, ref: string, flag: string): string {
  const result = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
    cwd,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new ModelshipError(
      `${flag} ${ref} is not a commit of the repository in ${cwd}; fetch its history (actions/checkout with fetch-depth: 0) or name another commit.`,
    );
  return result.stdout.trim();
}

/**
 * The files a change touched: from where `head` left `base`'s history (their merge base) to
 * `head`, as a pull request shows them; renames name both paths.
 */
export function changedFiles(cwd: string, base: string, head: string): ChangedFile[] {
  const out = git(cwd, ['diff', '--name-status', '-z', '-M', '--no-ext-diff', `${base}...${head}`]);
  const fields = out.split('\0');
  const changes: ChangedFile[] = [];
  for (let i = 0; i < fields.length - 1;) {
    const status = fields[i++]!.charAt(0);
    if (status === 'R' || status === 'C') {
      const from = fields[i++]!;
      changes.push({ status, path: fields[i++]!, from });
    } else changes.push({ status, path: fields[i++]! });
  }
  return changes;
}

/** A file's text at a commit, or undefined where it does not exist. */
export function fileAt(cwd: string, commit: string, path: string): string | undefined {
  const result = spawnSync('git', ['show', `${commit}:${path}`], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return result.status === 0 ? result.stdout : undefined;
}
