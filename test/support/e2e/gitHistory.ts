/**
 * The commits of the scenario, made in the GitHub fake's Git data (so that SHAs in statuses,
 * releases and the retraining branch are commits GitHub knows): a branch with the pull request's
 * change, GitHub's test merge (refs/pull/N/merge) and the merge commit on main.
 */
import type { FakeGit } from '../github/fakeGit.js';

const who = (date: string) => ({ name: 'Alice', email: 'alice@example.com', date });

/** A branch from `from`'s head with `files` committed on it; returns the new head SHA. */
export function commitOnBranch(
  git: FakeGit,
  options: {
    branch: string;
    from: string;
    files: Record<string, string>;
    message: string;
    date: string;
  },
): string {
  const base = git.refs.get(`heads/${options.from}`);
  if (!base) throw new Error(`no branch ${options.from}`);
  if (!git.refs.has(`heads/${options.branch}`)) git.refs.set(`heads/${options.branch}`, base);
  return git.commitFiles(options.branch, options.files, options.message, options.date).sha;
}

/**
 * A merge commit of `head` into `base`'s head (the PR's tree; no conflicts in this scenario).
 * With `advance`, `base` moves to it (the merge); without, it is the test merge a `pull_request`
 * run checks out.
 */
export function mergeCommit(
  git: FakeGit,
  options: { base: string; head: string; message: string; date: string; advance: boolean },
): string {
  const baseSha = git.refs.get(`heads/${options.base}`)!;
  const head = git.commits.get(options.head);
  if (!head) throw new Error(`no commit ${options.head}`);
  const commit = git.commit({
    tree: head.tree,
    parents: [baseSha, options.head],
    message: options.message,
    author: who(options.date),
    committer: { name: 'GitHub', email: 'noreply@github.com', date: options.date },
  });
  if (options.advance) git.refs.set(`heads/${options.base}`, commit.sha);
  return commit.sha;
}
