/**
 * The drift issue: one open issue per model, labelled `modelship:drift` and marked in its body,
 * opened by the first drifted (or degraded) check and then kept current (body refreshed, a comment
 * per run) while it stays open. A clean check closes it with a comment; drift that returns within
 * REOPEN_DAYS reopens an issue the check closed, while one a person closed (or an older one) stays
 * closed and a new issue is opened.
 */
import type { GitHubClient } from './octokit.js';
import { explainRequestError } from './requestError.js';
import { upsertStickyComment } from './stickyComment.js';
import { COMMENT_BODY_LIMIT, trimMarkdown } from './textLimits.js';

export interface TrackedIssue {
  number: number;
  url: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
  /** ISO 8601, for a closed issue. */
  closedAt: string | null;
  /** Login of the issue's author, which tells which token opened it. */
  author: string | undefined;
}

export interface IssueComment {
  id: number;
  url: string;
}

/** Finds, opens and keeps current the issue Modelship files for one model and purpose. */
export interface IssueTracker {
  /** The newest open issue with the label and the marker (closed ones too with `closed`), if any. */
  find(options?: { closed?: boolean }): Promise<TrackedIssue | undefined>;
  open(title: string, body: string): Promise<TrackedIssue>;
  /** Rewrites the body, and the title and state where given; the issue as GitHub then has it. */
  update(
    number: number,
    body: string,
    change?: { title?: string; state?: 'open' | 'closed' },
  ): Promise<TrackedIssue>;
  /** Adds a comment; with `key`, a re-run that passes the same key edits it instead. */
  comment(number: number, body: string, key?: string): Promise<IssueComment>;
}

/** The hidden line that identifies the drift issue of `model` among the labelled issues. */
export function driftIssueMarker(model: string): string {
  return `<!-- modelship:drift model=${model} -->`;
}

/**
 * Fits markdown into an issue or comment body (65,536 characters), with a note pointing to the
 * full report in the job summary of `fullReportUrl` (the workflow run) when it had to be cut.
 */
export function fitIssueText(markdown: string, fullReportUrl: string | undefined): string {
  const where = fullReportUrl
    ? `[the workflow run's job summary](${fullReportUrl})`
    : "the workflow run's job summary";
  const note = `> [!NOTE]\n> Trimmed to fit GitHub's 65,536-character limit: the full report is in ${where}.`;
  return trimMarkdown(markdown, COMMENT_BODY_LIMIT, note);
}

interface ApiIssue {
  number: number;
  html_url: string;
  title: string;
  state: string;
  closed_at?: string | null;
  body?: string | null;
  user: { login: string } | null;
  pull_request?: unknown;
}

const toTracked = (issue: ApiIssue): TrackedIssue => ({
  number: issue.number,
  url: issue.html_url,
  title: issue.title,
  body: issue.body ?? '',
  state: issue.state === 'closed' ? 'closed' : 'open',
  closedAt: issue.closed_at ?? null,
  author: issue.user?.login,
});

const WRITE = '`issues: write`';

/** `IssueTracker` over the issues API, for issues carrying `label` and `marker`. */
export class GitHubIssueTracker implements IssueTracker {
  constructor(
    private readonly octokit: GitHubClient,
    private readonly target: {
      owner: string;
      repo: string;
      label: string;
      marker: string;
      /** The workflow run, linked when a body is trimmed. */
      fullReportUrl?: string;
    },
  ) {}

  async find(options: { closed?: boolean } = {}): Promise<TrackedIssue | undefined> {
    const { owner, repo, label, marker } = this.target;
    const state = options.closed ? 'all' : 'open';
    try {
      // Newest first; the label narrows the list, the marker picks this model's issue.
      const [found] = await this.octokit.paginate(
        this.octokit.rest.issues.listForRepo,
        { owner, repo, labels: label, state, sort: 'created', per_page: 100 },
        (response, done) => {
          const matches = (response.data as ApiIssue[]).filter(
            (i) => i.pull_request === undefined && (i.body ?? '').includes(marker),
          );
          if (matches.length > 0) done();
          return matches;
        },
      );
      return found ? toTracked(found) : undefined;
    } catch (error) {
      const call = `GET /repos/${owner}/${repo}/issues?labels=${label}`;
      throw explainRequestError(error, { call, permission: '`issues: read`' });
    }
  }

  async open(title: string, body: string): Promise<TrackedIssue> {
    const { owner, repo, label } = this.target;
    try {
      const { data } = await this.octokit.rest.issues.create({
        owner,
        repo,
        title,
        body: this.fit(body),
        labels: [label],
      });
      return toTracked(data);
    } catch (error) {
      const call = `POST /repos/${owner}/${repo}/issues`;
      throw explainRequestError(error, { call, permission: WRITE });
    }
  }

  async update(
    number: number,
    body: string,
    change: { title?: string; state?: 'open' | 'closed' } = {},
  ): Promise<TrackedIssue> {
    const { owner, repo } = this.target;
    try {
      const { data } = await this.octokit.rest.issues.update({
        owner,
        repo,
        issue_number: number,
        body: this.fit(body),
        ...change,
      });
      return toTracked(data);
    } catch (error) {
      const call = `PATCH /repos/${owner}/${repo}/issues/${number}`;
      throw explainRequestError(error, { call, permission: WRITE });
    }
  }

  async comment(number: number, body: string, key?: string): Promise<IssueComment> {
    const { owner, repo, fullReportUrl } = this.target;
    if (key !== undefined) {
      // A sticky comment per key: re-running a workflow run edits its comment, never adds one.
      const written = await upsertStickyComment(this.octokit, {
        owner,
        repo,
        issueNumber: number,
        marker: key,
        body,
        ...(fullReportUrl ? { fullReportUrl } : {}),
      });
      return { id: written.id, url: written.url };
    }
    try {
      const { data } = await this.octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: number,
        body: fitIssueText(body, this.target.fullReportUrl),
      });
      return { id: Number(data.id), url: data.html_url };
    } catch (error) {
      const call = `POST /repos/${owner}/${repo}/issues/${number}/comments`;
      throw explainRequestError(error, { call, permission: WRITE });
    }
  }

  /** The marker first, so that a trimmed body still carries it. */
  private fit(body: string): string {
    const { marker, fullReportUrl } = this.target;
    return fitIssueText(`${marker}\n${body}`, fullReportUrl);
  }
}
