/**
 * The retraining pull request: one open PR per model from `modelship/retrain-<model>`, opened by
 * the first drifted check and updated by later ones. Its branch carries one file,
 * `.modelship/retrain-<model>.json`, written through the Git Data API (retrainBranch.ts); its
 * run of the pull-request flow retrains, evaluates and gates the model.
 */
import type { GitHubClient } from './octokit.js';
import { explainRequestError } from './requestError.js';
import { commitFileToBranch, type BranchCommit } from './retrainBranch.js';
import { fitIssueText } from './driftIssue.js';

export interface RetrainRequest {
  owner: string;
  repo: string;
  model: string;
  /** The JSON committed as `.modelship/retrain-<model>.json`. */
  content: string;
  /** Subject of the commit that writes it. */
  subject: string;
  title: string;
  /** Markdown; trimmed to GitHub's limit with a link to `fullReportUrl`. */
  body: string;
  fullReportUrl?: string;
  /** The workflow run writing (see BranchFile.runKey). */
  runKey?: string;
}

export interface RetrainPullRequest {
  number: number;
  url: string;
  action: 'created' | 'updated';
  /** Login that opened the PR, which tells which token opened it. */
  author: string | undefined;
  branch: string;
  path: string;
  commit: BranchCommit;
}

/** The branch drift-check commits to for `model`. */
export const retrainBranch = (model: string) => `modelship/retrain-${model}`;
/** The file on that branch. */
export const retrainFile = (model: string) => `.modelship/retrain-${model}.json`;

const WRITE = '`pull-requests: write` and `contents: write`';
// GitHub answers 403 to the workflow token unless the repository allows it to open PRs.
const CREATE =
  '`pull-requests: write` and `contents: write` (with the workflow `GITHUB_TOKEN`, also the repository setting "Allow GitHub Actions to create and approve pull requests" under Settings → Actions → General)';

/** The PR body: a marker, then the markdown, trimmed to GitHub's limit. */
function retrainBody(request: Pick<RetrainRequest, 'model' | 'body' | 'fullReportUrl'>): string {
  const marker = `<!-- modelship:retrain model=${request.model} -->`;
  return fitIssueText(`${marker}\n${request.body}`, request.fullReportUrl);
}

/** Replaces the body of the retraining PR `number`. */
export async function updateRetrainBody(
  octokit: GitHubClient,
  request: Pick<RetrainRequest, 'owner' | 'repo' | 'model' | 'body' | 'fullReportUrl'> & {
    number: number;
  },
): Promise<void> {
  const { owner, repo, number } = request;
  try {
    await octokit.rest.pulls.update({
      owner,
      repo,
      pull_number: number,
      body: retrainBody(request),
    });
  } catch (error) {
    const call = `PATCH /repos/${owner}/${repo}/pulls/${number}`;
    throw explainRequestError(error, { call, permission: WRITE });
  }
}

/** Commits the retraining file, then opens the PR or updates the open one's body. */
export async function upsertRetrainPullRequest(
  octokit: GitHubClient,
  request: RetrainRequest,
): Promise<RetrainPullRequest> {
  const { owner, repo, model } = request;
  const branch = retrainBranch(model);
  const path = retrainFile(model);
  const commit = await commitFileToBranch(octokit, {
    owner,
    repo,
    branch,
    path,
    content: request.content,
    subject: request.subject,
    ...(request.runKey ? { runKey: request.runKey } : {}),
  });
  const body = retrainBody(request);
  const head = `${owner}:${branch}`;
  let open: { number: number; html_url: string; user: { login: string } | null } | undefined;
  try {
    [open] = await octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
      head,
      state: 'open',
      per_page: 100,
    });
  } catch (error) {
    const call = `GET /repos/${owner}/${repo}/pulls?head=${head}`;
    throw explainRequestError(error, { call, permission: '`pull-requests: read`' });
  }
  const result = { branch, path, commit };
  if (open) {
    const number = open.number;
    await updateRetrainBody(octokit, { ...request, number });
    return { ...result, number, url: open.html_url, action: 'updated', author: open.user?.login };
  }
  try {
    const { data } = await octokit.rest.pulls.create({
      owner,
      repo,
      head: branch,
      base: commit.base,
      title: request.title,
      body,
    });
    return {
      ...result,
      number: data.number,
      url: data.html_url,
      action: 'created',
      author: data.user?.login,
    };
  } catch (error) {
    const call = `POST /repos/${owner}/${repo}/pulls`;
    throw explainRequestError(error, { call, permission: CREATE });
  }
}
