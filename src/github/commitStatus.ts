/**
 * The gate as a commit status that branch protection can require. A status is per commit and
 * context, the latest one wins; a re-run with the same outcome writes nothing.
 */
import type { GitHubClient } from './octokit.js';
import { writeOrSkip, type SkippedWrite } from './requestError.js';
import { STATUS_DESCRIPTION_LIMIT, trimLine } from './textLimits.js';

export type CommitState = 'error' | 'failure' | 'pending' | 'success';

export interface CommitStatusOptions {
  owner: string;
  repo: string;
  /** The PR head commit, not the merge commit a `pull_request` run checks out. */
  sha: string;
  /** See `gateStatusContext`. */
  context: string;
  state: CommitState;
  /** Trimmed to GitHub's 140 characters. */
  description: string;
  targetUrl?: string;
  /**
   * A status with the same state and description stands whatever it links to: the gate step,
   * run after evaluate, keeps the link evaluate set to its report comment.
   */
  keepTargetUrl?: boolean;
}

export interface CommitStatusResult {
  skipped: false;
  id: number;
  action: 'created' | 'unchanged';
}

/** The status context of a model's gate: what branch protection names as required. */
export function gateStatusContext(model: string): string {
  return `modelship/gate (${model})`;
}

/** Sets the status of `context` on `sha`; a 403 (fork, no `statuses: write`) is skipped. */
export async function setCommitStatus(
  octokit: GitHubClient,
  options: CommitStatusOptions,
): Promise<CommitStatusResult | SkippedWrite> {
  const { owner, repo, sha, context, state } = options;
  const description = trimLine(options.description, STATUS_DESCRIPTION_LIMIT);
  const targetUrl = options.targetUrl ?? null;

  const current = await latestStatus(octokit, owner, repo, sha, context);
  if (
    current &&
    current.state === state &&
    (current.description ?? '') === description &&
    (options.keepTargetUrl || (current.target_url ?? null) === targetUrl)
  ) {
    return { skipped: false, id: Number(current.id), action: 'unchanged' };
  }
  return writeOrSkip(
    {
      call: `POST /repos/${owner}/${repo}/statuses/${sha}`,
      permission:
        '`statuses: write`, or the pull request comes from a fork, whose token is read-only (set the status from a `workflow_run` workflow instead)',
    },
    async () => {
      const { data } = await octokit.rest.repos.createCommitStatus({
        owner,
        repo,
        sha,
        state,
        context,
        description,
        ...(targetUrl ? { target_url: targetUrl } : {}),
      });
      return { skipped: false as const, id: Number(data.id), action: 'created' as const };
    },
  );
}

/** The newest status of `context` on `sha`, or undefined; reading is best effort. */
async function latestStatus(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  sha: string,
  context: string,
) {
  try {
    // Newest first: stop at the first page that holds the context.
    const [latest] = await octokit.paginate(
      octokit.rest.repos.listCommitStatusesForRef,
      { owner, repo, ref: sha, per_page: 100 },
      (response, done) => {
        const found = response.data.filter((s) => s.context === context);
        if (found.length > 0) done();
        return found;
      },
    );
    return latest;
  } catch {
    // Without read access the write decides; it reports its own failure.
    return undefined;
  }
}
