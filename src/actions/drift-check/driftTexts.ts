/** What drift-check writes for people: the issue, its comments, the retraining PR and its file. */
import type { Degradation, DriftColumn, DriftReport } from '../../core/drift/index.js';
import { codeSpan, escapeMarkdown } from '../../core/report/markdownEscape.js';
import type { RollbackPlan } from './rollback.js';

export interface CheckRun {
  model: string;
  report: DriftReport;
  /** The report as markdown (driftMarkdown). */
  markdown: string;
  checkedAt: Date;
  /** The workflow run, whose job summary holds the full report. */
  runUrl: string | undefined;
  referenceLabel: string;
  currentLabel: string;
  /** The rollback drift-check decided on, when production degraded. */
  rollback?: RollbackPlan | undefined;
}

/** Days after a clean check closed the drift issue during which returning drift reopens it. */
export const REOPEN_DAYS = 30;

/** Whether the check calls for the issue: the data drifted or production degraded. */
export const needsIssue = (report: DriftReport) =>
  report.dataset_drift || report.degradation?.degraded === true;

const fixed = (n: number) => n.toFixed(2);

/** Names of the drifted columns, in report order. */
export function driftedColumns(report: DriftReport): string[] {
  return Object.entries(report.columns)
    .filter(([, column]) => column.drifted)
    .map(([name]) => name);
}

/** "3 of 20 columns drifted (share 0.15; the dataset drifts at 0.50)". */
export function driftVerdict(report: DriftReport): string {
  return `${report.drifted_columns} of ${report.total_columns} columns drifted (share ${fixed(report.drift_share)}; the dataset drifts at ${fixed(report.share_threshold)})`;
}

const when = (run: CheckRun) => run.checkedAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
const runLink = (run: CheckRun) => (run.runUrl ? ` · [workflow run](${run.runUrl})` : '');
// Column names and paths come from the data: a newline in one must not end the code span.
const code = codeSpan;

function columnList(report: DriftReport, limit = 20): string {
  const names = driftedColumns(report);
  const shown = names.slice(0, limit).map(code).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

/** The checks that failed, one per line, and what happens about it. */
function degradationLines(run: CheckRun, degradation: Degradation): string[] {
  const rows = run.report.performance?.rows;
  const on = rows === undefined ? '' : ` (${rows} labelled rows)`;
  return [
    `**⚠️ Performance degraded:** ${code(run.referenceLabel)} on ${code(run.currentLabel)}${on}:`,
    ...degradation.reasons.map((reason) => `- ${reason}`),
    rollbackLine(run.rollback),
    '',
  ];
}

/** What the rollback is: automatic, the command to run, or why there is none. */
export function rollbackLine(plan: RollbackPlan | undefined): string {
  if (!plan) return '';
  if (plan.mode === 'off') return '**Rollback:** off (`rollback.mode: off` in modelship.yml).';
  const by = plan.command ? ` Roll back by hand with ${code(plan.command)}.` : '';
  // held names deployment refs, which whoever can write deployments sets: escaped.
  if (plan.held) return `**Rollback:** not automatic: ${escapeMarkdown(plan.held)}${by}`;
  if (plan.deploy)
    return `**Rollback:** to ${code(plan.to!)} (\`rollback.mode: auto\`): the drift workflow's rollback job deploys it as a new deployment and marks ${code(plan.from)} rolled back.`;
  return `**Rollback:** to go back to ${code(plan.to!)}, the previous good version, run ${code(plan.command!)} (\`rollback.mode: auto\` in modelship.yml does it by itself).`;
}

/** The issue body: what was compared, where the retraining PR is, then the full report. */
export function issueBody(run: CheckRun, pr: { number: number } | undefined): string {
  const degradation = run.report.degradation;
  const lines = [
    ...(degradation?.degraded ? degradationLines(run, degradation) : []),
    `**Latest check:** ${when(run)}${runLink(run)}: ${driftVerdict(run.report)}.`,
    `**Reference:** ${code(run.referenceLabel)} (${run.report.reference.rows} rows) · **current:** ${code(run.currentLabel)} (${run.report.current.rows} rows)`,
    pr
      ? `**Retraining PR:** #${pr.number}`
      : '**Retraining PR:** none (the `open-pr` input is off, or the PR could not be opened: see the workflow run).',
    '',
    `Modelship keeps this issue current while it is open: each scheduled check refreshes this report and adds a comment. A clean check closes it; drift that returns within ${REOPEN_DAYS} days reopens it. Closed by a person, it stays closed and the next drifted check opens a new one.`,
    '',
    run.markdown,
  ];
  return lines.join('\n');
}

/** The issue title: degraded production first. */
export const issueTitle = (model: string, report: DriftReport) =>
  report.degradation?.degraded ? `Production degraded: ${model}` : `Data drift detected: ${model}`;

/** The comment a later drifted (or degraded) check adds to the issue; `reopened` says it was closed. */
export function driftComment(
  run: CheckRun,
  pr: { number: number } | undefined,
  reopened = false,
): string {
  const updated = pr ? ` The retraining PR #${pr.number} was updated.` : '';
  const degradation = run.report.degradation;
  const columns = run.report.drifted_columns ? `: ${columnList(run.report)}` : '';
  return [
    `### Drift check ${when(run)}${runLink(run)}`,
    '',
    reopened ? 'Reopened: the check that closed this issue was clean, this one is not.\n' : '',
    ...(degradation?.degraded
      ? [
          `⚠️ Performance degraded: ${degradation.reasons.join('; ')}.`,
          rollbackLine(run.rollback),
          '',
        ]
      : []),
    `${run.report.dataset_drift ? '⚠️' : 'ℹ️'} ${driftVerdict(run.report)}${columns}.${updated} The issue body holds the latest full report.`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

/** The comment a clean check leaves as it closes the issue: which check, which figures. */
export function cleanComment(run: CheckRun): string {
  const checks = run.report.degradation?.checks ?? [];
  const extreme = run.report.prediction?.extreme_outputs;
  const figures = [
    `- data: ${driftVerdict(run.report)}, below the dataset threshold;`,
    ...checks.map((c) => `- ${c.message};`),
    ...(extreme && !checks.some((c) => c.kind === 'extreme')
      ? [
          `- extreme outputs: ${(extreme.share * 100).toFixed(2)}% of ${extreme.rows} scores NaN or outside the release's range (not judged: no rollback.max_extreme_share);`,
        ]
      : []),
  ];
  return [
    `### Drift check ${when(run)}${runLink(run)}`,
    '',
    `✅ Clean: ${code(run.currentLabel)} against ${code(run.referenceLabel)}:`,
    ...figures,
    '',
    `Closing this issue. Drift or degradation that returns within ${REOPEN_DAYS} days reopens it.`,
  ].join('\n');
}

/** One column's verdict, as the retraining file records it. */
const verdict = (c: DriftColumn) => ({
  method: c.method,
  score: c.score,
  threshold: c.threshold,
  drifted: c.drifted,
  psi: c.psi,
});

/** `.modelship/retrain-<model>.json`: why the PR exists, for people and for the train step. */
export function retrainFile(run: CheckRun, issue: { number: number } | undefined): string {
  const { report } = run;
  const content = {
    model: run.model,
    reason: run.report.degradation?.degraded ? 'performance degraded' : 'data drift',
    checked_at: when(run),
    run_url: run.runUrl ?? null,
    issue: issue?.number ?? null,
    reference: { ...report.reference, label: run.referenceLabel },
    current: { ...report.current, label: run.currentLabel },
    dataset_drift: report.dataset_drift,
    drift_share: report.drift_share,
    share_threshold: report.share_threshold,
    drifted_columns: driftedColumns(report),
    total_columns: report.total_columns,
    columns: Object.fromEntries(Object.entries(report.columns).map(([n, c]) => [n, verdict(c)])),
    prediction: report.prediction
      ? { output: report.prediction.output, ...verdict(report.prediction) }
      : null,
    performance: report.performance?.metrics ?? null,
    degradation: report.degradation ?? null,
  };
  return `${JSON.stringify(content, null, 2)}\n`;
}

/** The retraining PR's body: the drift in brief, the linked issue, and the token notice. */
export function pullRequestBody(
  run: CheckRun,
  issue: { number: number } | undefined,
  file: string,
  tokenNotice: string | undefined,
): string {
  const degradation = run.report.degradation;
  const columns = run.report.drifted_columns ? `: ${columnList(run.report)}` : '';
  return [
    ...(degradation?.degraded
      ? [`⚠️ Performance degraded: ${degradation.reasons.join('; ')}.`, '']
      : []),
    `Scheduled drift check ${when(run)}${runLink(run)}: ${driftVerdict(run.report)}${columns}.`,
    '',
    `This branch commits ${code(file)}: the drift summary and the current data (${code(run.currentLabel)}) it was measured on. The pull-request flow on it trains the model again, evaluates it against production and applies the gate; merging it publishes the retrained model.`,
    '',
    issue ? `Closes #${issue.number} (the drift report) when merged.` : '',
    tokenNotice ? `\n> [!IMPORTANT]\n${quote(tokenNotice)}` : '',
  ]
    .join('\n')
    .trim();
}

/** Markdown as a block quote, line by line. */
export function quote(markdown: string): string {
  return markdown
    .split('\n')
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n');
}
