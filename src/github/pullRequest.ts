/**
 * Which pull request, and which of its commits, a workflow run is about. Statuses and check runs
 * belong on the PR's head commit, never on the merge commit a `pull_request` run checks out.
 */
import type { GitHubClient } from './octokit.js';
import { explainRequestError } from './requestError.js';

export interface PullRequestTarget {
  number: number;
  /** The commit the report is about: the PR head (pull_request), the run's head (workflow_run). */
  headSha: string;
  /** True when the head branch lives in another repository: that run's token is read-only. */
  fork: boolean;
}

export interface ResolvePullRequestOptions {
  owner: string;
  repo: string;
  /** `GITHUB_EVENT_NAME`. */
  eventName: string;
  /** The parsed `GITHUB_EVENT_PATH` file. */
  payload: unknown;
}

type Json = Record<string, unknown>;

function field(value: unknown, ...path: string[]): unknown {
  let node = value;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Json)[key];
  }
  return node;
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;
const integer = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;

function sameRepository(a: unknown, b: unknown): boolean {
  const nameA = text(field(a, 'full_name'));
  const nameB = text(field(b, 'full_name'));
  return nameA !== undefined && nameA.toLowerCase() === nameB?.toLowerCase();
}

/**
 * True when the event's pull request comes from a fork (`pull_request`, `pull_request_target`,
 * `workflow_run` triggered by one). A deleted fork (head repo null) counts as a fork.
 */
export function isForkPullRequest(payload: unknown): boolean {
  const pr = field(payload, 'pull_request');
  if (pr !== undefined && pr !== null) {
    return !sameRepository(field(pr, 'head', 'repo'), field(pr, 'base', 'repo'));
  }
  const run = field(payload, 'workflow_run');
  if (run !== undefined && run !== null) {
    const base = field(run, 'repository') ?? field(payload, 'repository');
    return !sameRepository(field(run, 'head_repository'), base);
  }
  return false;
}

/** The PR number and head commit for a `pull_request`, `workflow_run` or `push` event. */
export async function resolvePullRequest(
  octokit: GitHubClient,
  { owner, repo, eventName, payload }: ResolvePullRequestOptions,
): Promise<PullRequestTarget | undefined> {
  switch (eventName) {
    case 'pull_request':
    case 'pull_request_target': {
      const number = integer(field(payload, 'pull_request', 'number'));
      const headSha = text(field(payload, 'pull_request', 'head', 'sha'));
      if (number === undefined || headSha === undefined) return undefined;
      return { number, headSha, fork: isForkPullRequest(payload) };
    }
    case 'workflow_run':
      return fromWorkflowRun(octokit, owner, repo, payload);
    case 'push':
      return fromPush(octokit, owner, repo, payload);
    default:
      return undefined;
  }
}

async function fromWorkflowRun(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  payload: unknown,
): Promise<PullRequestTarget | undefined> {
  const run = field(payload, 'workflow_run');
  const headSha = text(field(run, 'head_sha'));
  if (headSha === undefined) return undefined;
  const fork = isForkPullRequest(payload);
  const listed = field(run, 'pull_requests');
  const first = Array.isArray(listed) ? integer(field(listed[0], 'number')) : undefined;
  if (first !== undefined) return { number: first, headSha, fork };

  // GitHub leaves `pull_requests` empty when the head branch is in a fork: ask by head label.
  const headRepo = field(run, 'head_repository');
  const headOwner = text(field(headRepo, 'owner', 'login'));
  const branch = text(field(run, 'head_branch'));
  if (headOwner === undefined || branch === undefined) return undefined;
  const head = `${headOwner}:${branch}`;
  try {
    const pulls = await octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
      head,
      state: 'open',
      per_page: 100,
    });
    const fromHeadRepo = pulls.filter((pr) => sameRepository(pr.head.repo, headRepo));
    const pr = fromHeadRepo.find((p) => p.head.sha === headSha) ?? fromHeadRepo[0];
    return pr ? { number: pr.number, headSha, fork } : undefined;
  } catch (error) {
    throw explainRequestError(error, {
      call: `GET /repos/${owner}/${repo}/pulls?head=${head}`,
      permission: '`pull-requests: read`',
    });
  }
}

async function fromPush(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  payload: unknown,
): Promise<PullRequestTarget | undefined> {
  const sha = text(field(payload, 'after'));
  // A deleted branch pushes the all-zero SHA: no commit, no pull request.
  if (sha === undefined || /^0+$/.test(sha)) return undefined;
  try {
    const pulls = await octokit.paginate(octokit.rest.repos.listPullRequestsAssociatedWithCommit, {
      owner,
      repo,
      commit_sha: sha,
      per_page: 100,
    });
    // A push to the default branch: the PR that this merge commit merged; else one it heads.
    const pr =
      pulls.find((p) => p.merge_commit_sha === sha && p.merged_at !== null) ??
      pulls.find((p) => p.head.sha === sha && p.state === 'open') ??
      pulls[0];
    if (!pr) return undefined;
    const fork = !sameRepository(pr.head.repo, pr.base.repo);
    return { number: pr.number, headSha: pr.head.sha, fork };
  } catch (error) {
    throw explainRequestError(error, {
      call: `GET /repos/${owner}/${repo}/commits/${sha}/pulls`,
      permission: '`pull-requests: read` and `contents: read`',
    });
  }
}
