/**
 * A repository in the GitHub fake holding a release of a bundle, and the environment the deploy
 * action reads on a runner pointed at it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OWNER, REPO } from './actionRunner.js';
import type { FakeRelease, FakeRepo } from './github/fakeEntities.js';
import type { GitHubFake } from './github/githubFake.js';

/** owner/repo in the fake, with the runner's env (token, API URL, run id) set for it. */
export function repoForDeploy(github: GitHubFake): FakeRepo {
  const repo = github.addRepo(OWNER, REPO);
  Object.assign(process.env, {
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_API_URL: github.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '5',
    MODELSHIP_GITHUB_PACE_WRITES: 'false',
    'INPUT_GITHUB-TOKEN': github.actionsToken({ writes: ['contents'] }),
  });
  return repo;
}

/** owner/repo with `tag` published from the files of `bundle`; the runner's env set for it. */
export function releaseForDeploy(
  github: GitHubFake,
  bundle: string,
  tag = 'credit-risk-v1.0.0',
): { repo: FakeRepo; release: FakeRelease } {
  const repo = repoForDeploy(github);
  const release = github.addRelease(repo, {
    tag,
    assets: Object.fromEntries(
      readdirSync(bundle).map((name) => [name, readFileSync(join(bundle, name))]),
    ),
  });
  return { repo, release };
}
