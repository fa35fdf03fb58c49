import { afterEach, beforeEach, expect } from 'vitest';
import {
  createOctokit,
  type CreateOctokitOptions,
  type GitHubClient,
} from '../../../src/github/octokit.js';
import { GitHubFake } from './githubFake.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/**
 * A fresh GitHub fake for each test; after each test, asserts that no request or response broke
 * GitHub's OpenAPI description (a test that provokes one on purpose empties the list).
 */
export function useGitHubFake(): { fake: () => GitHubFake } {
  let current: GitHubFake | undefined;
  beforeEach(async () => {
    current = await GitHubFake.start();
  });
  afterEach(async () => {
    const fake = current;
    current = undefined;
    await fake?.close();
    expect(fake?.violations ?? []).toEqual([]);
  });
  return {
    fake: () => {
      if (!current) throw new Error('useGitHubFake: no fake outside a test');
      return current;
    },
  };
}

/** The real Octokit of src/github pointed at the fake, with millisecond retry waits. */
export function clientFor(
  fake: GitHubFake,
  token: string,
  options: Partial<CreateOctokitOptions> = {},
): GitHubClient {
  return createOctokit({
    token,
    baseUrl: fake.url,
    retryAfterBaseMs: 1,
    paceWrites: false,
    log: quiet,
    ...options,
  });
}
