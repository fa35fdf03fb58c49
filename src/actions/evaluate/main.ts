import { dirname } from 'node:path';
import * as core from '@actions/core';
import { evaluate } from '../../core/evaluation/evaluate.js';
import { ModelshipError } from '../../core/errors.js';
import { checkOutputFiles, writeJson, writeReport } from '../../core/report/reportFiles.js';
import { COMMENT_LIMIT, evaluationMarkdown } from '../../core/report/evaluationMarkdown.js';
import { resolvePullRequest } from '../../github/pullRequest.js';
import { GitHubCommenter, markerComment } from '../../github/stickyComment.js';
import { publishAggregateGate } from '../aggregateGate.js';
import { publishGate } from '../gateStatus.js';
import {
  createStepOctokit,
  readOnlyForkRun,
  readRunContext,
  type RunContext,
} from '../runContext.js';
import { actionBaseline } from './baseline.js';
import { fetchHistory } from './history.js';
import { readEvaluateInputs } from './inputs.js';

/** Job summaries hold up to 1 MiB; the comment is trimmed to GitHub's comment limit instead. */
const SUMMARY_LIMIT = 1_000_000;
const FORK_NOTE =
  "This pull request comes from a fork, whose token is read-only: no comment or status was written. To post them, add the `workflow_run` companion workflow (workflows-templates/pr-comment.yml): with a write token, it re-evaluates the candidate model with the default branch's modelship.yml and holdout, and does not trust this run's report.";
/** Why a re-evaluation in the `workflow_run` companion can fail where the fork's own run did not. */
const COMPANION_HINT =
  "This workflow_run re-evaluation reads the candidate through the default branch's modelship.yml and holdout, not the pull request's (production through its release's own): when the pull request changes model.features or the data, a maintainer evaluates it after review (see actions/evaluate/README.md, pull requests from forks).";

/** evaluate: candidate vs baseline on the holdout; sticky PR comment, gate status, outputs. */
export async function run(): Promise<void> {
  const inputs = readEvaluateInputs();
  const name = inputs.loaded.config.model.name;
  const context = readRunContext();
  const octokit =
    context && inputs.githubToken ? createStepOctokit(inputs.githubToken, context) : undefined;
  const github = octokit && context ? { octokit, context } : undefined;

  // Before any work: the report must not land on what it reads.
  const markdownPath = inputs.reportPath.replace(/\.json$/, '') + '.md';
  checkOutputFiles(
    [
      { flag: 'report-path', path: inputs.reportPath },
      { flag: 'report-path (markdown)', path: markdownPath },
    ],
    [inputs.loaded.file, inputs.model, inputs.data],
  );
  const baseline = await actionBaseline(inputs, github);
  const report = await evaluate({
    config: inputs.loaded,
    model: inputs.model,
    data: inputs.data,
    baseline,
  }).catch((error: unknown) => {
    if (context?.eventName === 'workflow_run' && error instanceof ModelshipError) {
      throw new ModelshipError(`${error.message} ${COMPANION_HINT}`);
    }
    throw error;
  });
  // Charts of the gated metrics over the last releases, the candidate last; baseline none
  // means no registry at all.
  if (github && inputs.baseline !== 'none' && Object.keys(inputs.loaded.config.metrics).length) {
    const { owner, repo } = github.context;
    const history = await fetchHistory({ octokit: github.octokit, owner, repo }, name);
    if (history.length > 0) report.history = history;
  }
  const reportContext = { commit: context?.sha, runUrl: context?.runUrl };
  writeJson(inputs.reportPath, report);
  writeReport(markdownPath, evaluationMarkdown(report, reportContext, Number.MAX_SAFE_INTEGER));

  const notes: string[] = [];
  let commentUrl = '';
  const pr = github
    ? await resolvePullRequest(github.octokit, {
        ...github.context,
        payload: github.context.payload,
      })
    : undefined;
  let artifactName = '';
  if (github && readOnlyForkRun(github.context, pr)) {
    notes.push(FORK_NOTE);
    // For reviewers only: the companion workflow re-evaluates the candidate model instead of
    // trusting this report, which a fork can forge by editing its workflow.
    if (process.env.ACTIONS_RUNTIME_TOKEN) {
      artifactName = `modelship-report-${name}`;
      // Loaded for this upload alone: @actions/artifact and its Azure client are 1.5 MB.
      const { uploadArtifact } = await import('../artifact.js');
      await uploadArtifact({
        name: artifactName,
        files: [inputs.reportPath, markdownPath],
        rootDirectory: dirname(inputs.reportPath),
        overwrite: true,
      });
      notes.push(`The report was uploaded as the artifact \`${artifactName}\`.`);
    }
  } else if (github) {
    const sha = reportedCommit(github.context, pr);
    if (pr && inputs.comment) {
      const commenter = new GitHubCommenter(github.octokit, {
        owner: github.context.owner,
        repo: github.context.repo,
      });
      const marker = `evaluate/${name}`;
      const result = await commenter.upsert({
        issueNumber: pr.number,
        marker,
        // Room for the marker line the sticky comment adds, so the report trims by sections.
        body: evaluationMarkdown(
          report,
          { ...reportContext, commit: sha, fullReportUrl: github.context.runUrl },
          COMMENT_LIMIT - markerComment(marker).length - 1,
        ),
        fullReportUrl: github.context.runUrl,
      });
      if ('skipped' in result) notes.push(`The PR comment was not written: ${result.reason}`);
      else commentUrl = result.url;
    }
    if (sha) {
      notes.push(
        ...(await publishGate(github.octokit, github.context, {
          model: name,
          sha,
          gate: report.gate,
          summary: evaluationMarkdown(report, { ...reportContext, commit: sha }, 65_000),
          detailsUrl: commentUrl || github.context.runUrl,
        })),
        // After this model's own status, which the aggregate reads.
        ...(await publishAggregateGate(github.octokit, github.context, {
          sha,
          models: [...new Set([...(inputs.models ?? []), name])],
        })),
      );
    }
  }

  const summary = evaluationMarkdown(report, reportContext, SUMMARY_LIMIT);
  await core.summary
    .addRaw(notes.map((n) => `> [!WARNING]\n> ${n}\n\n`).join('') + summary)
    .write();
  core.setOutput('report', inputs.reportPath);
  core.setOutput('passed', String(report.gate.passed));
  core.setOutput('comment-url', commentUrl);
  if (artifactName) core.setOutput('report-artifact', artifactName);
  if (!report.gate.passed && inputs.failOnGate) {
    const failed = report.gate.checks.filter((c) => !c.passed);
    throw new ModelshipError(
      `The gate failed for ${name}: ${failed.map((c) => c.message).join('; ')}.`,
    );
  }
  core.info(
    `${name}: gate ${report.gate.passed ? 'passed' : 'failed'}; report at ${inputs.reportPath}.`,
  );
}

/**
 * The commit the gate status belongs on: the pull request's head; without an open pull request,
 * a workflow_run's head (never the default branch that run checked out), else the run's commit.
 */
function reportedCommit(context: RunContext, pr: { headSha: string } | undefined): string {
  if (pr) return pr.headSha;
  if (context.eventName === 'workflow_run') {
    const run = (context.payload as { workflow_run?: { head_sha?: unknown } }).workflow_run;
    if (typeof run?.head_sha === 'string' && run.head_sha !== '') return run.head_sha;
  }
  return context.sha;
}
