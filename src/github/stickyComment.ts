/**
 * One comment per pull request and marker, edited in place on every run ("sticky"), so a PR that
 * is pushed to ten times carries one report per model, not ten.
 *
 * Forks: a 403 (read-only token of a fork's `pull_request` run, or no `pull-requests: write`)
 * makes `upsertStickyComment` throw a `GitHubPermissionError` (a ModelshipError) naming the
 * call and the fix; `GitHubCommenter.upsert`, which the actions use, turns exactly that into
 * `{ skipped: true, reason }` so the caller writes the report to the job summary and says why.
 */
import { ModelshipError } from '../core/errors.js';
import type { GitHubClient } from './octokit.js';
import {
  explainRequestError,
  GitHubPermissionError,
  httpStatusOf,
  type CallDescription,
  type SkippedWrite,
} from './requestError.js';
import { COMMENT_BODY_LIMIT, trimMarkdown } from './textLimits.js';

export interface StickyComment {
  issueNumber: number;
  /** Names the comment among Modelship's, e.g. `evaluate/credit-risk`: one comment per marker. */
  marker: string;
  /** Markdown; trimmed to GitHub's limit with a note when longer. */
  body: string;
  /** Linked from the note when the body had to be trimmed. */
  fullReportUrl?: string;
}

export interface StickyCommentOptions extends StickyComment {
  owner: string;
  repo: string;
  /**
   * Login that writes the comment. Unset: GET /user (personal access tokens); where that is
   * forbidden (the Actions GITHUB_TOKEN, app tokens) comments by any bot account are considered.
   */
  author?: string;
}

export interface StickyCommentResult {
  id: number;
  url: string;
  action: 'created' | 'updated' | 'unchanged';
}

/** Reads and writes sticky comments; the GitHub side of it is `GitHubCommenter`. */
export interface Commenter {
  upsert(comment: StickyComment): Promise<StickyCommentResult | SkippedWrite>;
}

const MARKER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

/** The hidden HTML comment that identifies a sticky comment. */
export function markerComment(marker: string): string {
  if (!MARKER_PATTERN.test(marker)) {
    throw new ModelshipError(
      `Sticky comment marker "${marker}" is not valid: use letters, digits and . _ : / - only.`,
    );
  }
  return `<!-- modelship:${marker} -->`;
}

/** The full comment body: marker first, then the report, trimmed to the comment limit. */
export function stickyCommentBody(marker: string, body: string, fullReportUrl?: string): string {
  const note = fullReportUrl
    ? `> [!NOTE]\n> This report was trimmed to fit GitHub's 65,536-character comment limit: [read the full report](${fullReportUrl}).`
    : "> [!NOTE]\n> This report was trimmed to fit GitHub's 65,536-character comment limit: the full report is in the workflow run's job summary.";
  return trimMarkdown(`${markerComment(marker)}\n${body}`, COMMENT_BODY_LIMIT, note);
}

interface CommentLike {
  /** int64 in the API: Octokit parses ids past 2^53 as bigint. */
  id: number | bigint;
  html_url: string;
  body?: string;
  user: { login: string; type: string } | null;
}

/** Which comments count as ours: by login, or any bot's when the token cannot name itself. */
async function authorFilter(
  octokit: GitHubClient,
  author: string | undefined,
): Promise<(comment: CommentLike) => boolean> {
  let login = author;
  if (login === undefined) {
    try {
      login = (await octokit.rest.users.getAuthenticated()).data.login;
    } catch (error) {
      // The Actions GITHUB_TOKEN and app installation tokens get 403 here; they post as bots.
      if (httpStatusOf(error) !== 403) {
        throw explainRequestError(error, { call: 'GET /user', permission: 'no permission' });
      }
    }
  }
  if (login === undefined) return (comment) => comment.user?.type === 'Bot';
  const wanted = login.toLowerCase();
  return (comment) => comment.user?.login.toLowerCase() === wanted;
}

/** Creates the marked comment on the issue or PR, or updates the one already there. */
export async function upsertStickyComment(
  octokit: GitHubClient,
  options: StickyCommentOptions,
): Promise<StickyCommentResult> {
  const { owner, repo, issueNumber, marker } = options;
  const body = stickyCommentBody(marker, options.body, options.fullReportUrl);
  const tag = markerComment(marker);
  const isOurs = await authorFilter(octokit, options.author);
  const listCall = `GET /repos/${owner}/${repo}/issues/${issueNumber}/comments`;

  let existing: CommentLike | undefined;
  try {
    // Comments come oldest first; the first match is kept, later duplicates are left alone.
    const [first] = await octokit.paginate(
      octokit.rest.issues.listComments,
      { owner, repo, issue_number: issueNumber, per_page: 100 },
      (response, done) => {
        const matches = response.data.filter((c) => isOurs(c) && (c.body ?? '').includes(tag));
        if (matches.length > 0) done();
        return matches;
      },
    );
    existing = first;
  } catch (error) {
    throw explainRequestError(error, { call: listCall, permission: '`pull-requests: read`' });
  }

  const permission =
    '`pull-requests: write` (or `issues: write`), or the pull request comes from a fork, whose token is read-only (comment from a `workflow_run` workflow instead)';
  if (existing) {
    if (existing.body === body) {
      return { id: Number(existing.id), url: existing.html_url, action: 'unchanged' };
    }
    const call: CallDescription = {
      call: `PATCH /repos/${owner}/${repo}/issues/comments/${existing.id}`,
      permission,
    };
    try {
      const { data } = await octokit.rest.issues.updateComment({
        owner,
        repo,
        comment_id: existing.id,
        body,
      });
      return { id: Number(data.id), url: data.html_url, action: 'updated' };
    } catch (error) {
      throw explainRequestError(error, call);
    }
  }
  const call = { call: `POST /repos/${owner}/${repo}/issues/${issueNumber}/comments`, permission };
  try {
    const { data } = await octokit.rest.issues.createComment({
      owner,
      repo,
      issue_number: issueNumber,
      body,
    });
    return { id: Number(data.id), url: data.html_url, action: 'created' };
  } catch (error) {
    throw explainRequestError(error, call);
  }
}

/** `Commenter` over the REST API of one repository; a forbidden write degrades to skipped. */
export class GitHubCommenter implements Commenter {
  constructor(
    private readonly octokit: GitHubClient,
    private readonly repository: { owner: string; repo: string; author?: string },
  ) {}

  /** Upserts the sticky comment; `{ skipped, reason }` when the token may not comment. */
  async upsert(comment: StickyComment): Promise<StickyCommentResult | SkippedWrite> {
    try {
      return await upsertStickyComment(this.octokit, { ...this.repository, ...comment });
    } catch (error) {
      if (error instanceof GitHubPermissionError) return { skipped: true, reason: error.message };
      throw error;
    }
  }
}
