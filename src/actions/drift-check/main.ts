import * as core from '@actions/core';
import {
  computeDrift,
  driftMarkdown,
  judgeDegradation,
  type DriftReport,
} from '../../core/drift/index.js';
import { ModelshipError, messageOf } from '../../core/errors.js';
import { checkOutputFiles, writeJson, writeReport } from '../../core/report/reportFiles.js';
import { codeSpan, escapeMarkdown } from '../../core/report/markdownEscape.js';
import { isForkPullRequest } from '../../github/pullRequest.js';
import { classifyToken, workflowTokenNotice } from '../../github/tokenKind.js';
import type { GitHubClient } from '../../github/octokit.js';
import { GitHubPermissionError } from '../../github/requestError.js';
import {
  createStepOctokit,
  readOnlyForkRun,
  readRunContext,
  type RunContext,
} from '../runContext.js';
import { driftVerdict, quote, rollbackLine, type CheckRun } from './driftTexts.js';
import { followUp, type FollowUp } from './followUp.js';
import { readDriftCheckInputs, type DriftCheckInputs } from './inputs.js';
import { resolveReference } from './reference.js';
import { planRollback, type RollbackPlan } from './rollback.js';

/** Job summaries hold up to 1 MiB. */
const SUMMARY_LIMIT = 1_000_000;
/** Room in the issue body (65,536) for the lines drift-check puts above the report. */
const ISSUE_REPORT_LIMIT = 60_000;

interface Outcome {
  run: CheckRun;
  follow: FollowUp | undefined;
  reportPath: string;
  failOnDrift: boolean;
}

/** drift-check: current data against production; the drift issue and the retraining PR. */
export async function run(): Promise<void> {
  const notes: string[] = [];
  let outcome: Outcome | undefined;
  try {
    outcome = await check(notes);
  } finally {
    await writeSummary(outcome, notes);
  }
  const { report } = outcome.run;
  const { issue, pr } = outcome.follow ?? {};
  core.setOutput('drifted', String(report.dataset_drift));
  core.setOutput('drift-share', String(report.drift_share));
  core.setOutput('issue-number', issue ? String(issue.number) : '');
  core.setOutput('pr-number', pr ? String(pr.number) : '');
  core.setOutput('report', outcome.reportPath);
  core.setOutput('degraded', String(report.degradation?.degraded ?? false));
  // Set only when deploying: an empty value from another model's matrix leg would overwrite it.
  const plan = outcome.run.rollback;
  if (plan?.deploy) {
    core.setOutput('rollback-to', plan.to);
    core.setOutput('rollback-reason', rollbackReason(report));
  }
  const name = outcome.run.model;
  if (report.dataset_drift && outcome.failOnDrift) {
    throw new ModelshipError(
      `Drift detected for ${name}: ${driftVerdict(report)}; fail-on-drift is on.`,
      1,
    );
  }
  core.info(`${name}: ${report.dataset_drift ? 'drift' : 'no drift'}; ${driftVerdict(report)}.`);
}

async function check(notes: string[]): Promise<Outcome> {
  const inputs = readDriftCheckInputs();
  const model = inputs.loaded.config.model.name;
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
    [inputs.loaded.file, inputs.current],
  );
  const reference = await resolveReference(
    inputs.reference,
    inputs.loaded,
    inputs.workingDirectory,
    github,
    inputs.environment,
  );
  const report: DriftReport = await computeDrift({
    reference: reference.path,
    current: inputs.current,
    config: inputs.loaded,
    ...(reference.modelPath ? { modelPath: reference.modelPath } : {}),
    ...(reference.metricsPath ? { referenceMetrics: reference.metricsPath } : {}),
    display: { reference: reference.label, current: inputs.currentLabel },
  });
  if (reference.note) report.notes.push(reference.note);
  report.degradation = judgeDegradation({
    config: inputs.loaded.config,
    performance: report.performance,
    extreme: report.prediction?.extreme_outputs,
  });
  const rollback = await rollbackFor(report, reference.tag, inputs, github, notes);
  writeJson(inputs.reportPath, report);
  const title = `Drift report: ${model}`;
  writeReport(markdownPath, driftMarkdown(report, { title, maxChars: SUMMARY_LIMIT }));
  const run: CheckRun = {
    model,
    report,
    markdown: driftMarkdown(report, { title, maxChars: ISSUE_REPORT_LIMIT }),
    checkedAt: new Date(),
    runUrl: context?.runUrl,
    referenceLabel: reference.label,
    currentLabel: inputs.currentLabel,
    rollback,
  };
  const outcome = { run, reportPath: inputs.reportPath, failOnDrift: inputs.failOnDrift };
  const wanted = inputs.openIssue || inputs.openPr;
  if (!github) {
    if (wanted)
      notes.push('Not running in GitHub Actions with a token: no issue or PR was written.');
    return { ...outcome, follow: undefined };
  }
  const fork = { fork: isForkPullRequest(github.context.payload) };
  if (readOnlyForkRun(github.context, fork)) {
    if (wanted) {
      notes.push(
        "This run comes from a fork's pull request, whose token is read-only: no issue or PR was written. Run drift-check on a schedule or workflow_dispatch instead.",
      );
    }
    return { ...outcome, follow: undefined };
  }
  const follow = await followUp({
    octokit: github.octokit,
    owner: github.context.owner,
    repo: github.context.repo,
    run,
    openIssue: inputs.openIssue,
    openPr: inputs.openPr,
    tokenKind: classifyToken(inputs.githubToken, [inputs.workflowToken, process.env.GITHUB_TOKEN]),
  });
  notes.push(...follow.notes);
  return { ...outcome, follow };
}

const ISSUE_ACTIONS = {
  opened: 'opened',
  reopened: 'reopened',
  updated: 'updated',
  closed: 'closed (clean check)',
};

/** The rollback of a degraded release; none for a reference that is not a release, or offline. */
async function rollbackFor(
  report: DriftReport,
  tag: string | undefined,
  inputs: DriftCheckInputs,
  github: { octokit: GitHubClient; context: RunContext } | undefined,
  notes: string[],
): Promise<RollbackPlan | undefined> {
  if (!report.degradation?.degraded) return undefined;
  if (!tag || !github) {
    notes.push(
      'Production degraded, but the reference is not a release read through the GitHub API, so there is no version to roll back to.',
    );
    return undefined;
  }
  const plan = planRollback({
    octokit: github.octokit,
    owner: github.context.owner,
    repo: github.context.repo,
    model: inputs.loaded.config.model.name,
    environment: inputs.environment,
    mode: inputs.loaded.config.rollback.mode,
    judged: tag,
    degradation: report.degradation,
    workflowRef: process.env.GITHUB_WORKFLOW_REF,
  });
  try {
    return await plan;
  } catch (error) {
    if (!(error instanceof GitHubPermissionError)) throw error;
    notes.push(
      `Production degraded, but the version to roll back to was not looked up: ${error.message}`,
    );
    return undefined;
  }
}

/** `performance degraded (roc_auc, extreme outputs)`: what the rolled-back deployment says. */
function rollbackReason(report: DriftReport): string {
  const failed = (report.degradation?.checks ?? []).filter((c) => !c.passed).map((c) => c.metric);
  return `performance degraded (${[...new Set(failed)].join(', ')})`;
}

async function writeSummary(outcome: Outcome | undefined, notes: string[]): Promise<void> {
  // Notes quote GitHub's error messages, which can echo what a request carried: escaped.
  const warnings = notes.map((n) => `> [!WARNING]\n${quote(escapeMarkdown(n))}\n\n`).join('');
  let text: string;
  if (!outcome) {
    text = `${warnings}## Modelship · drift-check\n\n❌ The drift check did not finish; the step's error says why.\n`;
  } else {
    const { run, follow } = outcome;
    const { report } = run;
    const rows = [
      ['Verdict', `${report.dataset_drift ? '⚠️ drift' : '✅ no drift'}: ${driftVerdict(report)}`],
      ['Reference', `${codeSpan(run.referenceLabel)} (${report.reference.rows} rows)`],
      ['Current', `${codeSpan(run.currentLabel)} (${report.current.rows} rows)`],
    ];
    if (report.degradation?.degraded)
      rows.unshift([
        'Production',
        `⚠️ performance degraded: ${report.degradation.reasons.join('; ')}`,
      ]);
    const line = rollbackLine(run.rollback);
    if (line) rows.push(['Rollback', line.replace(/^\*\*Rollback:\*\* /, '')]);
    if (follow?.issue) {
      const { number, url, action } = follow.issue;
      rows.push(['Drift issue', `[#${number}](${url}) ${ISSUE_ACTIONS[action]}`]);
    }
    if (follow?.pr) {
      const { number, url, action, branch } = follow.pr;
      rows.push(['Retraining PR', `[#${number}](${url}) ${action} from \`${branch}\``]);
    }
    const table = [
      '| | |',
      '|---|---|',
      ...rows.map(([k, v]) => `| ${k} | ${v!.replace(/\|/g, '\\|')} |`),
    ].join('\n');
    const notice =
      follow?.pr && follow.tokenKind === 'workflow'
        ? `> [!IMPORTANT]\n${quote(workflowTokenNotice())}\n\n`
        : '';
    const body = driftMarkdown(report, { title: `Drift report: ${run.model}`, maxChars: 900_000 });
    text = `${warnings}## Modelship · drift-check \`${run.model}\`\n\n${table}\n\n${notice}${body}`;
  }
  try {
    await core.summary.addRaw(text.slice(0, SUMMARY_LIMIT)).write();
  } catch (error) {
    core.warning(`The job summary could not be written: ${messageOf(error)}`);
  }
}
