/**
 * Event payloads as GitHub sends them to the three flows' workflows (the fields Modelship and the
 * runner read, in GitHub's shapes), for a repository on the GitHub fake.
 */
import type { FakePull, FakeRepo } from '../github/fakeEntities.js';

/** The `repository` object of a webhook payload. */
export function repositoryJson(repo: FakeRepo) {
  return {
    id: repo.id,
    name: repo.name,
    full_name: `${repo.owner.login}/${repo.name}`,
    owner: { login: repo.owner.login, id: repo.owner.id, type: repo.owner.type },
    fork: repo.parent !== undefined,
    private: false,
    default_branch: 'main',
  };
}

/** `pull_request` (opened or synchronize) for a pull request of `repo` from a branch of its own. */
export function pullRequestEvent(repo: FakeRepo, pr: FakePull, action = 'opened') {
  const repository = repositoryJson(repo);
  return {
    action,
    number: pr.number,
    pull_request: {
      number: pr.number,
      state: 'open',
      title: pr.title,
      html_url: `https://github.com/${repository.full_name}/pull/${pr.number}`,
      user: { login: pr.user.login },
      merged: false,
      head: {
        label: `${repo.owner.login}:${pr.head.ref}`,
        ref: pr.head.ref,
        sha: pr.head.sha,
        repo: repository,
      },
      base: { label: `${repo.owner.login}:main`, ref: 'main', sha: pr.base.sha, repo: repository },
    },
    repository,
    sender: { login: pr.user.login },
  };
}

/** `push` to main of the merge commit of a pull request. */
export function pushEvent(
  repo: FakeRepo,
  options: { before: string; after: string; time: string },
) {
  return {
    ref: 'refs/heads/main',
    before: options.before,
    after: options.after,
    created: false,
    deleted: false,
    forced: false,
    head_commit: { id: options.after, timestamp: options.time, message: 'Merge pull request' },
    repository: repositoryJson(repo),
    sender: { login: 'alice' },
  };
}

/** `schedule`: the cron line that fired, and the repository. */
export function scheduleEvent(repo: FakeRepo, cron: string) {
  return { schedule: cron, repository: repositoryJson(repo) };
}
