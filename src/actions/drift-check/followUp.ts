/**
 * What a drift check leaves on GitHub. Drift or degraded production: the labelled drift issue
 * (opened once, or reopened when a clean check closed it within REOPEN_DAYS, then body refreshed
 * and a comment per run) and the retraining PR (opened once, then updated), each linking the
 * other. A clean check: a comment with its figures on the open drift issue, which it then closes.
 *
 * A write the token may not make (403) is skipped with a note for the job summary, as the other
 * actions degrade on a read-only token; any other failure stops the step with one sentence.
 */
import {
  GitHubIssueTracker,
  driftIssueMarker,
  type TrackedIssue,
} from '../../github/driftIssue.js';
import { DRIFT_LABEL, ensureLabel } from '../../github/labels.js';
import type { GitHubClient } from '../../github/octokit.js';
import { GitHubPermissionError } from '../../github/requestError.js';
import {
  retrainFile as retrainPath,
  updateRetrainBody,
  upsertRetrainPullRequest,
  type RetrainPullRequest,
} from '../../github/retrainPullRequest.js';
import { byAuthor, workflowTokenNotice, type TokenKind } from '../../github/tokenKind.js';
import {
  REOPEN_DAYS,
  cleanComment,
  driftComment,
  driftVerdict,
  issueBody,
  issueTitle,
  needsIssue,
  pullRequestBody,
  retrainFile,
  type CheckRun,
} from './driftTexts.js';

export interface FollowUpOptions {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  run: CheckRun;
  openIssue: boolean;
  openPr: boolean;
  /** From the token itself (tokenKind.ts steps 1–2); refined by who GitHub says wrote. */
  tokenKind: TokenKind;
}

export interface FollowUp {
  issue?: {
    number: number;
    url: string;
    action: 'opened' | 'reopened' | 'updated' | 'closed';
  };
  pr?: RetrainPullRequest;
  tokenKind: TokenKind;
  /** Sentences for the job summary: skipped writes. */
  notes: string[];
}

/** Runs `call`; a 403 becomes the note `${skipped}: <why>` instead of a failure. */
async function orNote<T>(notes: string[], skipped: string, call: () => Promise<T>) {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof GitHubPermissionError)) throw error;
    notes.push(`${skipped}: ${error.message}`);
    return undefined;
  }
}

/** One comment per workflow run (re-runs included) and model, where the run is known. */
function commentKey(run: CheckRun): string | undefined {
  const id = /\/runs\/(\d+)/.exec(run.runUrl ?? '')?.[1];
  return id ? `drift-check/${run.model}/run-${id}` : undefined;
}

/** The hidden line naming the run that opened an issue, so that re-running that run adds no comment. */
function openedByMarker(key: string | undefined): string {
  return key ? `<!-- modelship:opened-by ${key} -->` : '';
}

const OPENED_BY = /<!-- modelship:opened-by [^>]*-->/;

/** Files the drift issue and the retraining PR for a drifted check, or notes a clean one. */
export async function followUp(options: FollowUpOptions): Promise<FollowUp> {
  const { octokit, owner, repo, run } = options;
  const notes: string[] = [];
  let tokenKind = options.tokenKind;
  const tracker = new GitHubIssueTracker(octokit, {
    owner,
    repo,
    label: DRIFT_LABEL.name,
    marker: driftIssueMarker(run.model),
    fullReportUrl: run.runUrl,
  });

  if (!needsIssue(run.report)) {
    if (!options.openIssue) return { tokenKind, notes };
    const open = await orNote(notes, 'The drift issue could not be looked up', () =>
      tracker.find(),
    );
    if (!open) return { tokenKind, notes };
    // The comment first: a re-run whose close failed edits it and closes.
    const closed = await orNote(
      notes,
      'The clean check did not close the drift issue',
      async () => {
        await tracker.comment(open.number, cleanComment(run), commentKey(run));
        // Closed, then the closing time written beside the marker: a person who reopens and closes
        // it again changes that time, and their close is not undone.
        const body = open.body.replace(CLOSED_BY_CHECK_LINE, '');
        const closed = await tracker.update(open.number, `${body}\n${closedByCheck('')}`, {
          state: 'closed',
        });
        await tracker.update(open.number, `${body}\n${closedByCheck(closed.closedAt ?? '')}`);
        return true;
      },
    );
    return {
      ...(closed ? { issue: { number: open.number, url: open.url, action: 'closed' } } : {}),
      tokenKind,
      notes,
    };
  }

  let issue: TrackedIssue | undefined;
  let opened = false;
  let reopened = false;
  // A re-run of the workflow run that opened the issue: its report is the body, not a comment.
  let openedByThisRun = false;
  const runKey = commentKey(run);
  const openedBy = openedByMarker(runKey);
  if (options.openIssue) {
    issue = await orNote(notes, 'The drift issue was not written', async () => {
      await ensureLabel(octokit, { owner, repo }, DRIFT_LABEL);
      const found = await tracker.find();
      if (found) {
        openedByThisRun = openedBy !== '' && found.body.includes(openedBy);
        return found;
      }
      const last = await tracker.find({ closed: true });
      if (last && reopens(last, run.checkedAt)) {
        reopened = true;
        return last;
      }
      opened = true;
      return tracker.open(
        issueTitle(run.model, run.report),
        `${issueBody(run, undefined)}\n${openedBy}`,
      );
    });
    if (opened) tokenKind = byAuthor(tokenKind, issue?.author);
  }

  let pr: RetrainPullRequest | undefined;
  if (options.openPr) {
    const request = (notice: boolean) => ({
      owner,
      repo,
      model: run.model,
      content: retrainFile(run, issue),
      subject: `Retrain ${run.model}: ${driftVerdict(run.report)}`,
      title: `Retrain ${run.model}: ${run.report.degradation?.degraded ? 'performance degraded' : 'data drift'}`,
      body: pullRequestBody(
        run,
        issue,
        retrainPath(run.model),
        notice ? workflowTokenNotice() : undefined,
      ),
      fullReportUrl: run.runUrl,
      ...(runKey ? { runKey } : {}),
    });
    const knewWorkflow = tokenKind === 'workflow';
    pr = await orNote(notes, 'The retraining pull request was not written', async () => {
      const written = await upsertRetrainPullRequest(octokit, request(knewWorkflow));
      tokenKind = byAuthor(tokenKind, written.author);
      // Only the PR's author told: write the body again, now with the notice.
      if (!knewWorkflow && tokenKind === 'workflow') {
        await updateRetrainBody(octokit, { ...request(true), number: written.number });
      }
      return written;
    });
  }

  if (!issue) return { ...(pr ? { pr } : {}), tokenKind, notes };
  const current = issue;
  const first = opened || openedByThisRun;
  await orNote(notes, 'The drift issue was not updated', async () => {
    // A new issue's body lacks only the PR link; an older one gets the whole report again. The
    // opening run's marker stays in the body.
    const keep = OPENED_BY.exec(current.body)?.[0] ?? '';
    const title = issueTitle(run.model, run.report);
    const change = {
      ...(title !== current.title ? { title } : {}),
      ...(reopened ? { state: 'open' as const } : {}),
    };
    if (!opened || pr)
      await tracker.update(current.number, `${issueBody(run, pr)}\n${keep}`, change);
    if (!first)
      await tracker.comment(current.number, driftComment(run, pr, reopened), commentKey(run));
  });
  const action = reopened ? 'reopened' : first ? 'opened' : 'updated';
  return {
    issue: { number: current.number, url: current.url, action },
    ...(pr ? { pr } : {}),
    tokenKind,
    notes,
  };
}

/** The hidden line a clean check leaves in the body of the issue it closed, with GitHub's closed_at. */
const closedByCheck = (closedAt: string) => `<!-- modelship:closed-by-check at=${closedAt} -->`;
const CLOSED_BY_CHECK_LINE = /\n?<!-- modelship:closed-by-check at=(\S*) -->/;

/**
 * Whether returning drift reopens a closed issue: only one a clean check closed (the body names
 * that close's closed_at, and a drifted check rewrites the body without it), within REOPEN_DAYS of
 * the close. One a person closed says the matter was handled: a new issue tells the new story.
 */
function reopens(issue: TrackedIssue, now: Date): boolean {
  const at = CLOSED_BY_CHECK_LINE.exec(issue.body)?.[1];
  if (issue.state !== 'closed' || !at || at !== issue.closedAt) return false;
  return now.getTime() - Date.parse(at) <= REOPEN_DAYS * 86_400_000;
}
