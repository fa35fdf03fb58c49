import { escapeMarkdown } from '../report/markdownEscape.js';
import { formatPercent, formatValue } from '../report/numberFormat.js';
import type { AgreementReport } from './shadowReport.js';

/** Said wherever a report has no labels: agreement is not accuracy. */
export const NO_LABELS_NOTE =
  'No labels were given (--labels), so this compares the two models’ answers only: it says how often they agree, not which is right.';

const ms = (value: number | null) => (value === null ? '—' : `${value.toFixed(2)} ms`);

/** The lines both writers share: what was compared, and how it agreed. */
function summary(report: AgreementReport, name: (text: string) => string): string[][] {
  const { labels, score_difference: diff, latency_ms: latency } = report;
  return [
    ['requests logged', String(report.requests)],
    ['shadow failures', String(report.failed)],
    ['infer requests without predict (not compared by row)', String(report.infer)],
    ['rows compared', String(report.rows)],
    ...(labels
      ? [
          [
            'label agreement',
            `${formatPercent(labels.rate)} (${labels.agreed} of ${labels.compared})`,
          ],
        ]
      : []),
    ['mean |score difference|', formatValue(diff.mean)],
    ['max |score difference|', formatValue(diff.max)],
    ...diff.buckets.map(({ le, rows }) => [
      `rows with |difference| ≤ ${le === '+Inf' ? '∞' : le}`,
      String(rows),
    ]),
    [
      `latency p50 / p95, ${name('primary')}`,
      `${ms(latency.primary.p50)} / ${ms(latency.primary.p95)}`,
    ],
    [
      `latency p50 / p95, ${name('shadow')}`,
      `${ms(latency.shadow.p50)} / ${ms(latency.shadow.p95)}`,
    ],
  ];
}

/** The agreement report as plain text for the terminal. */
export function agreementText(report: AgreementReport): string {
  const rows = summary(report, (t) => t);
  const width = Math.max(...rows.map(([k]) => k!.length));
  return [
    `shadow ${report.shadow.name} ${report.shadow.version} against primary ${report.primary.name} ${report.primary.version} (${report.task})`,
    NO_LABELS_NOTE,
    '',
    ...rows.map(([k, v]) => `${k!.padEnd(width)}  ${v}`),
  ].join('\n');
}

/** The agreement report as GitHub markdown (names escaped). */
export function agreementMarkdown(report: AgreementReport): string {
  const model = (m: { name: string; version: string }) =>
    `${escapeMarkdown(m.name)} ${escapeMarkdown(m.version)}`;
  return [
    `## Shadow ${model(report.shadow)} against primary ${model(report.primary)}`,
    '',
    `> ${NO_LABELS_NOTE}`,
    '',
    '| | |',
    '|---|---:|',
    ...summary(report, (t) => t).map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ].join('\n');
}
