import { markdownTable } from 'markdown-table';
import type {
  AttributeFairness,
  Confusion,
  EvaluationReport,
  GateCheck,
} from '../evaluation/evaluationReport.js';
import { isHigherBetter } from '../gate/metricDirection.js';
import { groupColumns } from '../fairness/fairness.js';
import { tooFewGroups } from '../fairness/fairnessGate.js';
import { featureChangeParts } from './featureChangeText.js';
import { historySection } from './historyChart.js';
import { changeWithInterval, intervalsNote, valueWithInterval } from './intervalFormat.js';
import { slicesSection } from './slicesMarkdown.js';
import { codeSpan, escapeMarkdown } from './markdownEscape.js';
import { formatPercent, formatValue } from './numberFormat.js';
import { FAIRNESS_METRICS } from '../config/modelshipConfig.js';
import type { MetricIntervalReport } from '../stats/index.js';
import { groupedCount } from '../numberText.js';

/** GitHub's limit on an issue or PR comment body. */
export const COMMENT_LIMIT = 65_536;

/** Context for the footer and links; all optional so the CLI renders offline. */
export interface ReportContext {
  commit?: string;
  runUrl?: string;
  /** Where the untrimmed report lives (job summary or artifact), linked when trimming. */
  fullReportUrl?: string;
  /** The hidden marker that makes the PR comment sticky. */
  marker?: string;
}

/** The evaluation report as GitHub markdown, within `limit` characters. */
export function evaluationMarkdown(
  report: EvaluationReport,
  context: ReportContext = {},
  limit = COMMENT_LIMIT,
): string {
  // Sections in the order a reviewer reads them; the optional ones go first when trimming.
  const required = [
    header(report, context),
    verdict(report),
    featureNote(report),
    metricsSection(report),
  ];
  const optional = [
    fairnessSection(report),
    slicesSection(report),
    historyOf(report),
    chartSection(report),
    detailsSection(report),
  ];
  const footerText = footer(report, context);
  for (let keep = optional.length; keep >= 0; keep--) {
    const trimmed = keep < optional.length;
    const parts = [...required, ...optional.slice(0, keep)];
    if (trimmed) parts.push(trimNote(context));
    parts.push(footerText);
    const text = parts.filter(Boolean).join('\n\n');
    if (text.length <= limit) return text;
  }
  const text = [...required, trimNote(context), footerText].join('\n\n');
  return `${text.slice(0, limit - 200)}\n\n…report cut at GitHub's comment limit.${context.fullReportUrl ? ` [Full report](${context.fullReportUrl})` : ''}`;
}

function header(report: EvaluationReport, context: ReportContext): string {
  const marker = context.marker ? `<!-- modelship:${context.marker} -->\n` : '';
  const against = report.baseline ? `against ${codeSpan(report.baseline.label)}` : 'no baseline';
  return `${marker}## Modelship · ${codeSpan(report.name)}\n\nCandidate ${against} on ${codeSpan(report.data)} (${groupedCount(report.rows)} rows, ${report.task}${report.threshold !== undefined ? `, threshold ${report.threshold}` : ''})`;
}

function verdict(report: EvaluationReport): string {
  const failed = report.gate.checks.filter((c) => !c.passed);
  const lines = report.gate.passed
    ? [
        `### ✅ Gate passed: ${report.gate.checks.length} check${report.gate.checks.length === 1 ? '' : 's'}`,
      ]
    : [
        `### ❌ Gate failed: ${failed.length} of ${report.gate.checks.length} checks`,
        '',
        ...failed.map((c) => `- ${escapeMarkdown(c.message)}`),
      ];
  for (const note of report.gate.notes) lines.push('', `> [!NOTE]\n> ${escapeMarkdown(note)}`);
  return lines.join('\n');
}

/** When the two models read different features: each was scored through its own. */
function featureNote(report: EvaluationReport): string {
  const changes = report.baseline?.feature_changes;
  if (!changes) return '';
  const parts = featureChangeParts(changes, (columns) => columns.map(codeSpan).join(', '));
  return `> [!NOTE]\n> The candidate reads different features from the baseline: ${parts.join('; ')}. Each model was scored on the same rows through its own modelship.yml.`;
}

function metricsSection(report: EvaluationReport): string {
  const base = report.baseline?.metrics;
  const rows = Object.keys(report.metrics).map((metric) => {
    const candidate = report.metrics[metric] ?? null;
    const baseline = base ? (base[metric] ?? null) : null;
    const checks = report.gate.checks.filter(
      (c) => c.metric === metric && !c.attribute && !c.slice,
    );
    const interval = report.intervals?.metrics[metric];
    return [
      metric,
      formatValue(baseline),
      valueWithInterval(candidate, interval),
      change(metric, candidate, baseline, interval),
      rulesCell(checks),
      statusCell(checks),
    ];
  });
  const note = intervalsNote(report);
  return `#### Metrics\n\n${markdownTable([['Metric', 'Baseline', 'Candidate', 'Change', 'Rule', 'Status'], ...rows], { align: ['l', 'r', 'r', 'r', 'l', 'c'] })}${note ? `\n\n<sub>${note}</sub>` : ''}`;
}

/** Direction-aware change: the arrow shows the sign, the colour whether it is better. */
function change(
  metric: string,
  candidate: number | null,
  baseline: number | null,
  interval?: MetricIntervalReport,
): string {
  if (candidate === null || baseline === null) return '—';
  const delta = candidate - baseline;
  if (Math.abs(delta) < 5e-5) return changeWithInterval(0, interval);
  const better = isHigherBetter(metric) ? delta > 0 : delta < 0;
  return `${better ? '🟢' : '🔴'} ${delta > 0 ? '▲' : '▼'} ${changeWithInterval(delta, interval)}`;
}

function rulesCell(checks: GateCheck[]): string {
  return checks.map((c) => `${c.rule} ${formatValue(c.threshold)}`).join(', ') || '—';
}

function statusCell(checks: GateCheck[]): string {
  if (checks.length === 0) return '';
  return checks.every((c) => c.passed) ? '✅' : '❌';
}

function fairnessSection(report: EvaluationReport): string {
  const attributes = Object.keys(report.fairness);
  if (attributes.length === 0) return '';
  const binary = report.task === 'binary-classification';
  const parts = [
    '#### Fairness',
    '',
    binary
      ? 'Per group rates and disparities (Fairlearn definitions). The four-fifths rule (US employment guidance, 29 CFR 1607.4(D)) reads a `demographic_parity_ratio` below 0.8 as evidence of adverse impact: a heuristic, not proof of fairness.'
      : 'Per group metrics and their disparities (Fairlearn definitions: difference = max − min over groups, ratio = min / max).',
  ];
  for (const attribute of attributes) {
    const candidate = report.fairness[attribute]!;
    const baseline = report.baseline?.fairness[attribute];
    parts.push(
      '',
      `**${codeSpan(attribute)}**`,
      '',
      groupTable(candidate),
      '',
      ...smallGroupsNote(candidate),
      // Without two large groups every disparity is undefined: the note above says why.
      tooFewGroups(candidate) ? '' : disparityTable(report, attribute, candidate, baseline),
    );
  }
  return parts.join('\n');
}

function groupTable(fairness: AttributeFairness): string {
  const columns = groupColumns(fairness);
  const small = new Set(fairness.small_groups ?? []);
  const rows = Object.entries(fairness.groups).map(([group, g]) => [
    codeSpan(group),
    `${groupedCount(g.count)}${small.has(group) ? ' ⚠️' : ''}`,
    ...columns.map(([key]) =>
      key === 'selection_rate' ? formatPercent(g[key]) : formatValue(g[key]),
    ),
  ]);
  return markdownTable([['Group', 'Rows', ...columns.map(([, heading]) => heading)], ...rows], {
    align: ['l', 'r', ...columns.map(() => 'r' as const)],
  });
}

/** Which groups the disparities leave out for their size, and why. */
function smallGroupsNote(fairness: AttributeFairness): string[] {
  const small = fairness.small_groups ?? [];
  if (small.length === 0) return [];
  const listed = small
    .map((g) => `${codeSpan(g)} (${groupedCount(fairness.groups[g]?.count ?? 0)} rows)`)
    .join(', ');
  const none = tooFewGroups(fairness)
    ? ' Fewer than two groups remain, so the disparities are undefined and their rules were not checked.'
    : '';
  return [
    `⚠️ Left out of the disparities as smaller than ${fairness.min_group_size} rows (fairness.min_group_size): ${listed}; a rate on so few rows is too noisy to compare.${none}`,
    '',
  ];
}

const DISPARITIES = FAIRNESS_METRICS;

function disparityTable(
  report: EvaluationReport,
  attribute: string,
  candidate: AttributeFairness,
  baseline?: AttributeFairness,
): string {
  const rows = DISPARITIES.filter((metric) => candidate[metric] !== undefined).map((metric) => {
    const checks = report.gate.checks.filter(
      (c) => c.metric === metric && c.attribute === attribute,
    );
    const cand = candidate[metric] ?? null;
    const base = baseline ? (baseline[metric] ?? null) : null;
    const interval = report.intervals?.fairness[attribute]?.[metric];
    return [
      metric,
      formatValue(base),
      valueWithInterval(cand, interval),
      change(metric, cand, base, interval),
      rulesCell(checks),
      statusCell(checks),
    ];
  });
  return markdownTable(
    [['Disparity', 'Baseline', 'Candidate', 'Change', 'Rule', 'Status'], ...rows],
    { align: ['l', 'r', 'r', 'r', 'l', 'c'] },
  );
}

/** A mermaid bar chart of candidate and production on the metrics that live in [0, 1]. */
function chartSection(report: EvaluationReport): string {
  const metrics = Object.keys(report.metrics).filter((m) => {
    const values = [report.metrics[m], report.baseline?.metrics[m]];
    return (
      values.every((v) => v === undefined || v === null || (v >= 0 && v <= 1)) &&
      report.metrics[m] !== null
    );
  });
  if (metrics.length === 0) return '';
  const series = (values: (number | null | undefined)[]) =>
    `[${values.map((v) => (v ?? 0).toFixed(4)).join(', ')}]`;
  const lines = [
    '```mermaid',
    'xychart-beta',
    `  title "${report.baseline ? 'Baseline (first bar) and candidate' : 'Candidate'}"`,
    `  x-axis [${metrics.join(', ')}]`,
    '  y-axis "value" 0 --> 1',
  ];
  if (report.baseline)
    lines.push(`  bar ${series(metrics.map((m) => report.baseline?.metrics[m]))}`);
  lines.push(`  bar ${series(metrics.map((m) => report.metrics[m]))}`, '```');
  return `<details><summary>Chart</summary>\n\n${lines.join('\n')}\n\n</details>`;
}

/** Each gated metric over the production releases, when the report carries them. */
function historyOf(report: EvaluationReport): string {
  if (!report.history?.length) return '';
  const gated = report.gate.checks.filter((c) => !c.attribute && !c.slice).map((c) => c.metric);
  return historySection(report.history, report.metrics, [...new Set(gated)]);
}

function detailsSection(report: EvaluationReport): string {
  const parts = ['<details><summary>Confusion matrices and all gate checks</summary>', ''];
  if (report.confusion) parts.push('**Candidate**', '', confusionTable(report.confusion), '');
  if (report.baseline?.confusion)
    parts.push('**Baseline**', '', confusionTable(report.baseline.confusion), '');
  if (report.gate.checks.length) {
    parts.push('**Gate checks**', '');
    for (const c of report.gate.checks)
      parts.push(`- ${c.passed ? '✅' : '❌'} ${escapeMarkdown(c.message)}`);
    parts.push('');
  }
  parts.push('</details>');
  return parts.join('\n');
}

function confusionTable(confusion: Confusion): string {
  const head = ['true ＼ predicted', ...confusion.labels.map(codeSpan)];
  const rows = confusion.matrix.map((row, i) => [
    codeSpan(confusion.labels[i] ?? ''),
    ...row.map((n) => groupedCount(n)),
  ]);
  return markdownTable([head, ...rows]);
}

function trimNote(context: ReportContext): string {
  return `> [!NOTE]\n> Parts of this report were left out to fit GitHub's comment limit.${context.fullReportUrl ? ` [Full report](${context.fullReportUrl}).` : ' The job summary and the report artifact hold all of it.'}`;
}

function footer(report: EvaluationReport, context: ReportContext): string {
  const bits = [
    `model ${codeSpan(report.candidate.sha256.slice(0, 12))} (SHA-256, ${escapeMarkdown(report.candidate.provider)})`,
    report.baseline ? `production ${codeSpan(report.baseline.model.sha256.slice(0, 12))}` : '',
    `${groupedCount(report.rows)} rows`,
    context.commit ? `commit ${codeSpan(context.commit.slice(0, 7))}` : '',
    context.runUrl ? `[workflow run](${context.runUrl})` : '',
  ].filter(Boolean);
  return `<sub>${bits.join(' · ')} · Modelship</sub>`;
}
