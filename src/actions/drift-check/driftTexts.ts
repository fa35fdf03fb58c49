/** What drift-check writes for people: the issue, its comments, the retraining PR and its file. */
import type { DriftColumn, DriftReport } from '../../core/drift/index.js';

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
}

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
const code = (text: string) => `\`${text.replace(/`/g, "'")}\``;

function columnList(report: DriftReport, limit = 20): string {
  const names = driftedColumns(report);
  const shown = names.slice(0, limit).map(code).join(', ');
  return names.length > limit ? `${shown} and ${names.length - limit} more` : shown;
}

/** The issue body: what was compared, where the retraining PR is, then the full report. */
export function issueBody(run: CheckRun, pr: { number: number } | undefined): string {
  const lines = [
    `**Latest check:** ${when(run)}${runLink(run)}: ${driftVerdict(run.report)}.`,
    `**Reference:** ${code(run.referenceLabel)} (${run.report.reference.rows} rows) · **current:** ${code(run.currentLabel)} (${run.report.current.rows} rows)`,
    pr
      ? `**Retraining PR:** #${pr.number}`
      : '**Retraining PR:** none (the `open-pr` input is off, or the PR could not be opened: see the workflow run).',
    '',
    'Modelship keeps this issue current while it is open: each scheduled check refreshes this report and adds a comment. Close it once the drift is handled; the next drifted check opens a new one.',
    '',
    run.markdown,
  ];
  return lines.join('\n');
}

/** The issue title. */
export const issueTitle = (model: string) => `Data drift detected: ${model}`;

/** The comment a later drifted check adds to the open issue. */
export function driftComment(run: CheckRun, pr: { number: number } | undefined): string {
  const updated = pr ? ` The retraining PR #${pr.number} was updated.` : '';
  return [
    `### Drift check ${when(run)}${runLink(run)}`,
    '',
    `⚠️ ${driftVerdict(run.report)}: ${columnList(run.report)}.${updated} The issue body holds the latest full report.`,
  ].join('\n');
}

/** The comment a clean check adds to the open issue (no new issue, no PR). */
export function cleanComment(run: CheckRun): string {
  return [
    `### Drift check ${when(run)}${runLink(run)}`,
    '',
    `✅ The latest check was clean: ${driftVerdict(run.report)}, below the dataset threshold.`,
    'Close this issue if the drift it reported is handled.',
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
    reason: 'data drift',
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
  return [
    `Scheduled drift check ${when(run)}${runLink(run)}: ${driftVerdict(run.report)}: ${columnList(run.report)}.`,
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
