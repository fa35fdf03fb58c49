import { markdownTable } from 'markdown-table';
import { codeSpan, escapeMarkdown } from '../report/markdownEscape.js';
import { formatPercent, formatScore, formatValue } from '../report/numberFormat.js';
import type { DriftColumn, DriftReport, DriftShares } from './driftReport.js';
import { groupedCount } from '../numberText.js';

/** GitHub's limit on an issue or comment body. */
const DEFAULT_MAX_CHARS = 65_000;
/** Charts drawn at most (one per drifted column, the strongest PSI first). */
const MAX_CHARTS = 12;

/** The drift report as GitHub markdown: verdict, a table per column, a chart per drifted column. */
export function driftMarkdown(
  report: DriftReport,
  options: { title?: string; maxChars?: number } = {},
): string {
  const max = options.maxChars ?? DEFAULT_MAX_CHARS;
  const head = headSection(report, options.title ?? 'Drift report');
  const names = Object.keys(report.columns);
  const tail = [modelSection(report), notesSection(report)].filter(Boolean).join('\n\n');
  const charts = chartSections(report);
  // Shrink to fit: drop charts from the end, then table rows, never the verdict.
  for (let rows = names.length; rows >= 0; rows = rows === 0 ? -1 : Math.floor(rows / 2)) {
    for (let c = charts.length; c >= 0; c--) {
      const body = [head, columnTable(report, names.slice(0, rows)), tail, ...charts.slice(0, c)]
        .filter(Boolean)
        .join('\n\n');
      if (body.length + 1 <= max) return `${body}\n`;
    }
  }
  return `${head.slice(0, Math.max(0, max - 2))}\n`;
}

function headSection(report: DriftReport, title: string): string {
  const verdict = report.dataset_drift
    ? `❌ **Drift detected**: ${report.drifted_columns} of ${report.total_columns} columns drifted (${formatPercent(report.drift_share)} ≥ ${formatPercent(report.share_threshold)})`
    : `✅ **No dataset drift**: ${report.drifted_columns} of ${report.total_columns} columns drifted (${formatPercent(report.drift_share)} < ${formatPercent(report.share_threshold)})`;
  const ref = `${codeSpan(report.reference.source)} (${report.reference.kind}, ${groupedCount(report.reference.rows)} rows)`;
  const cur = `${codeSpan(report.current.source)} (${groupedCount(report.current.rows)} rows)`;
  const lines = [
    `### ${escapeMarkdown(title)}`,
    '',
    verdict,
    '',
    `Reference ${ref} · current ${cur}`,
  ];
  if (report.approximate)
    lines.push(
      '',
      '_Approximate: some scores were read from the reference profile’s quantile sketch, not raw values (see the notes)._',
    );
  return lines.join('\n');
}

function columnTable(report: DriftReport, names: string[]): string {
  if (names.length === 0) return '';
  const rows = names.map((name) => row(codeSpan(name), report.columns[name]!));
  const more = Object.keys(report.columns).length - names.length;
  return (
    markdownTable(
      [['', 'Column', 'Type', 'Method', 'Score', 'Threshold', 'PSI', 'Nulls ref → cur'], ...rows],
      { align: ['c', 'l', 'l', 'l', 'r', 'r', 'r', 'r'] },
    ) + (more > 0 ? `\n\n… ${more} more columns in the JSON report.` : '')
  );
}

function row(label: string, c: DriftColumn): string[] {
  return [
    c.score === null ? '—' : c.drifted ? '❌' : '✅',
    label,
    c.type,
    `${METHOD_NAMES[c.method]}${c.approximate ? ' ≈' : ''}`,
    formatScore(c.score),
    formatValue(c.threshold),
    formatValue(c.psi),
    `${formatPercent(c.reference.null_share)} → ${formatPercent(c.current.null_share)}`,
  ];
}

const METHOD_NAMES: Record<DriftColumn['method'], string> = {
  ks: 'KS p-value',
  wasserstein: 'Wasserstein (normed)',
  jensenshannon: 'Jensen–Shannon',
  chisquare: 'chi-square p-value',
  z: 'Z-test p-value',
  psi: 'PSI',
};

function modelSection(report: DriftReport): string {
  const parts: string[] = [];
  if (report.prediction) {
    const p = report.prediction;
    parts.push(
      '#### Model scores',
      markdownTable(
        [
          ['', 'Output', 'Type', 'Method', 'Score', 'Threshold', 'PSI', 'Nulls ref → cur'],
          row(escapeMarkdown(p.output), p),
        ],
        { align: ['c', 'l', 'l', 'l', 'r', 'r', 'r', 'r'] },
      ),
    );
    const extreme = p.extreme_outputs;
    if (extreme) {
      const count = extreme.not_finite + extreme.below + extreme.above;
      parts.push(
        `Extreme outputs: ${(extreme.share * 100).toFixed(2)}% (${count} of ${extreme.rows}) NaN or outside the reference's range [${formatValue(extreme.range.min)}, ${formatValue(extreme.range.max)}]: ${extreme.not_finite} not a number, ${extreme.below} below, ${extreme.above} above.`,
      );
    }
  }
  if (report.degradation?.degraded) {
    parts.push(
      '#### ⚠️ Performance degraded',
      report.degradation.reasons.map((r) => `- ${escapeMarkdown(r)}`).join('\n'),
    );
  }
  if (report.performance) {
    const perf = report.performance;
    parts.push(
      `#### Performance on ${groupedCount(perf.rows)} labelled current rows`,
      markdownTable(
        [
          ['Metric', 'At release', 'Now', 'Change'],
          ...Object.entries(perf.metrics).map(([name, m]) => [
            name,
            formatValue(m.reference),
            formatValue(m.current),
            m.change === null
              ? '—'
              : `${m.change >= 0 ? '+' : '−'}${Math.abs(m.change).toFixed(4)}`,
          ]),
        ],
        { align: ['l', 'r', 'r', 'r'] },
      ),
    );
  }
  return parts.join('\n\n');
}

function notesSection(report: DriftReport): string {
  if (report.notes.length === 0) return '';
  return report.notes.map((n) => `- ${escapeMarkdown(n)}`).join('\n');
}

function chartSections(report: DriftReport): string[] {
  const drifted = Object.entries(report.columns)
    .filter(([, c]) => c.drifted)
    .sort((a, b) => (b[1].psi ?? 0) - (a[1].psi ?? 0))
    .slice(0, MAX_CHARTS);
  const charts = drifted.map(([name, c]) => chart(name, c.shares));
  if (report.prediction?.drifted)
    charts.unshift(chart(report.prediction.output, report.prediction.shares));
  return charts;
}

/** A mermaid bar (reference) and line (current) chart of the shares per bin or category. */
export function chart(name: string, shares: DriftShares): string {
  const top = Math.max(0.0001, ...shares.reference, ...shares.current);
  const series = (values: number[]) => `[${values.map((v) => v.toFixed(4)).join(', ')}]`;
  return [
    `<details><summary>${escapeMarkdown(name)}: reference (bars) and current (line) shares</summary>`,
    '',
    '```mermaid',
    'xychart-beta',
    `  title "${mermaidText(name)}"`,
    `  x-axis [${shares.bins.map((b) => `"${mermaidText(b)}"`).join(', ')}]`,
    `  y-axis "share" 0 --> ${Math.min(1, Number((top * 1.1).toFixed(4)))}`,
    `  bar ${series(shares.reference)}`,
    `  line ${series(shares.current)}`,
    '```',
    '',
    '</details>',
  ].join('\n');
}

/**
 * Data-derived text inside a mermaid block: letters, digits, spaces and plain punctuation only,
 * so that a value cannot close the string, the block or the code fence, nor carry HTML.
 */
export function mermaidText(value: string): string {
  const text = value
    .replace(/</g, '‹')
    .replace(/>/g, '›')
    .replace(/[^\p{L}\p{N} .,:;%+\-–_/()‹›≥=]/gu, '_');
  return text.length > 24 ? `${text.slice(0, 23)}…` : text;
}
