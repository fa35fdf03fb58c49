/**
 * The repository whose releases the CLI reads, and a client for it: `--repo owner/name`, else
 * GITHUB_REPOSITORY, else the origin remote of the working copy; the token from GITHUB_TOKEN or
 * GH_TOKEN.
 */
import { spawnSync } from 'node:child_process';
import { ModelshipError } from '../../core/errors.js';
import type { GitHubClient } from '../../github/octokit.js';

export interface RepositoryName {
  owner: string;
  repo: string;
}

export function tokenFromEnv(): string | undefined {
  return process.env.GITHUB_TOKEN || process.env.GH_TOKEN || undefined;
}

/** A quiet client for the CLI, on GITHUB_API_URL (GitHub Enterprise) or api.github.com. */
export async function cliOctokit(token: string): Promise<GitHubClient> {
  const { createOctokit } = await import('../../github/octokit.js');
  return createOctokit({
    token,
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    userAgent: 'modelship-cli',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}

/** Owner and name of a repository from `owner/name`, or undefined. */
export function parseRepository(text: string): RepositoryName | undefined {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)\/([A-Za-z0-9._-]+)$/.exec(text.trim());
  if (!match?.[1] || !match[2] || match[2] === '.' || match[2] === '..') return undefined;
  return { owner: match[1], repo: match[2].replace(/\.git$/, '') };
}

/**
 * The repository a git remote URL points at: `https://host/owner/name(.git)`,
 * `ssh://git@host(:port)/owner/name(.git)` or scp-like `git@host:owner/name(.git)`.
 */
export function repositoryOfRemote(url: string): RepositoryName | undefined {
  const trimmed = url.trim();
  let path: string | undefined;
  const scp = /^(?:[^@/\s]+@)?[^:/\s]+:(?!\/)(.+)$/.exec(trimmed);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    try {
      path = new URL(trimmed).pathname;
    } catch {
      return undefined;
    }
  } else if (scp) {
    path = scp[1];
  }
  if (!path) return undefined;
  const parts = path
    .replace(/^\/+|\/+$/g, '')
    .replace(/\.git$/, '')
    .split('/');
  if (parts.length !== 2) return undefined;
  return parseRepository(parts.join('/'));
}

/**
 * The repository from `--repo`, else GITHUB_REPOSITORY, else the origin remote of `dir`: a value
 * that is not a repository is an error; finding none is `{ missing }`, saying what was found.
 */
export function repositoryOf(
  flag: string | undefined,
  dir: string,
): RepositoryName | { missing: string } {
  if (flag !== undefined) {
    const parsed = parseRepository(flag);
    if (!parsed) {
      throw new ModelshipError(
        `--repo ${JSON.stringify(flag)} is not a repository: pass owner/name, e.g. --repo acme/models.`,
      );
    }
    return parsed;
  }
  const fromEnv = process.env.GITHUB_REPOSITORY;
  if (fromEnv) {
    const parsed = parseRepository(fromEnv);
    if (!parsed) {
      throw new ModelshipError(
        `GITHUB_REPOSITORY=${JSON.stringify(fromEnv)} is not owner/name: set it to the repository that holds the releases, e.g. acme/models.`,
      );
    }
    return parsed;
  }
  const git = spawnSync('git', ['remote', 'get-url', 'origin'], { cwd: dir, encoding: 'utf8' });
  const url = git.status === 0 ? git.stdout.trim() : '';
  const parsed = url ? repositoryOfRemote(url) : undefined;
  if (parsed) return parsed;
  return {
    missing: url
      ? `${dir}: its origin remote ${url} is not a GitHub repository URL`
      : `${dir}: it has no origin remote`,
  };
}
