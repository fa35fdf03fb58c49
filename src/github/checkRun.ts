/**
 * The gate as a check run with a markdown summary. One check run per name and commit: a re-run
 * finds the one it made before and updates it.
 */
import type { GitHubClient } from './octokit.js';
import {
  explainRequestError,
  httpStatusOf,
  writeOrSkip,
  type SkippedWrite,
} from './requestError.js';
import { CHECK_RUN_TEXT_LIMIT, trimMarkdown } from './textLimits.js';

export type CheckConclusion =
  'action_required' | 'cancelled' | 'failure' | 'neutral' | 'success' | 'skipped' | 'timed_out';

export interface CheckRunOptions {
  owner: string;
  repo: string;
  /** The PR head commit. */
  headSha: string;
  name: string;
  /** Unset: the check run is shown as in progress. */
  conclusion?: CheckConclusion;
  title: string;
  /** Markdown, trimmed to GitHub's 65,535 characters. */
  summary: string;
  text?: string;
  detailsUrl?: string;
}

export interface CheckRunResult {
  skipped: false;
  id: number;
  url: string | null;
  action: 'created' | 'updated';
}

const TRIMMED =
  "> [!NOTE]\n> Trimmed to fit GitHub's 65,535-character limit: the full report is in the workflow run's job summary.";

const PERMISSION =
  '`checks: write` (only the Actions token or a GitHub App can write check runs), or the pull request comes from a fork, whose token is read-only';

/** Creates the named check run on `headSha`, or updates the newest one of that name. */
export async function createOrUpdateCheckRun(
  octokit: GitHubClient,
  options: CheckRunOptions,
): Promise<CheckRunResult | SkippedWrite> {
  const { owner, repo, headSha, name } = options;
  const fields = {
    name,
    ...(options.detailsUrl ? { details_url: options.detailsUrl } : {}),
    ...(options.conclusion
      ? {
          status: 'completed' as const,
          conclusion: options.conclusion,
          completed_at: new Date().toISOString(),
        }
      : { status: 'in_progress' as const }),
    output: {
      title: options.title,
      summary: trimMarkdown(options.summary, CHECK_RUN_TEXT_LIMIT, TRIMMED),
      ...(options.text !== undefined
        ? { text: trimMarkdown(options.text, CHECK_RUN_TEXT_LIMIT, TRIMMED) }
        : {}),
    },
  };

  const existing = await newestCheckRun(octokit, owner, repo, headSha, name);
  if (existing !== undefined) {
    try {
      const { data } = await octokit.rest.checks.update({
        owner,
        repo,
        check_run_id: existing,
        ...fields,
      });
      return { skipped: false, id: Number(data.id), url: data.html_url, action: 'updated' };
    } catch (error) {
      // Another app's check run of the same name cannot be edited: make our own below.
      if (httpStatusOf(error) !== 403 && httpStatusOf(error) !== 404) {
        const call = `PATCH /repos/${owner}/${repo}/check-runs/${existing}`;
        throw explainRequestError(error, { call, permission: PERMISSION });
      }
    }
  }
  return writeOrSkip(
    { call: `POST /repos/${owner}/${repo}/check-runs`, permission: PERMISSION },
    async () => {
      const { data } = await octokit.rest.checks.create({
        owner,
        repo,
        head_sha: headSha,
        ...fields,
      });
      return {
        skipped: false as const,
        id: Number(data.id),
        url: data.html_url,
        action: 'created' as const,
      };
    },
  );
}

/** The id of the newest check run called `name` on `sha`; reading is best effort. */
async function newestCheckRun(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  sha: string,
  name: string,
): Promise<number | undefined> {
  try {
    const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
      owner,
      repo,
      ref: sha,
      check_name: name,
      filter: 'all',
      per_page: 100,
    });
    const ids = runs.filter((run) => run.name === name).map((run) => Number(run.id));
    return ids.length > 0 ? Math.max(...ids) : undefined;
  } catch {
    return undefined;
  }
}
