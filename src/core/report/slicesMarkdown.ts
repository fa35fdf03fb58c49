import { markdownTable } from 'markdown-table';
import type { EvaluationReport } from '../evaluation/evaluationReport.js';
import { sliceName, worstFirst } from '../evaluation/slices.js';
import { codeSpan } from './markdownEscape.js';
import { changeWithInterval, valueWithInterval } from './intervalFormat.js';
import { formatValue } from './numberFormat.js';
import { groupedCount } from '../numberText.js';

/** Rows shown in the report; the JSON report holds every slice. */
const SHOWN = 30;

/** The metric slices are ranked by when no slice rule names one. */
const RANK_METRIC = {
  'binary-classification': 'roc_auc',
  'multiclass-classification': 'accuracy',
  regression: 'rmse',
} as const;

/** The slices table, worst first by the first slice rule's metric (else the task's main one), folded. */
export function slicesSection(report: EvaluationReport): string {
  const slices = report.slices ?? [];
  if (slices.length === 0) return '';
  const checks = report.gate.checks.filter((c) => c.slice !== undefined);
  const rank = checks[0]?.metric ?? RANK_METRIC[report.task];
  const metrics = Object.keys(slices[0]!.metrics);
  const production = new Map(
    (report.baseline?.slices ?? []).map((s) => [sliceName(s), s.metrics[rank] ?? null]),
  );
  const ordered = worstFirst(slices, rank);
  const rows = ordered.slice(0, SHOWN).map((slice) => {
    const name = sliceName(slice);
    const own = checks.filter((c) => c.slice === name);
    const value = slice.metrics[rank] ?? null;
    const base = production.get(name) ?? null;
    const status = !slice.gated
      ? 'not gated (too few rows)'
      : own.length === 0
        ? ''
        : own.every((c) => c.passed)
          ? '✅'
          : '❌';
    return [
      codeSpan(name),
      groupedCount(slice.count),
      // The ranking metric with its interval; the rest as values, to keep the table narrow.
      ...metrics.map((m) =>
        m === rank ? valueWithInterval(value, slice.intervals?.[m]) : formatValue(slice.metrics[m]),
      ),
      ...(report.baseline
        ? [
            value === null || base === null
              ? '—'
              : changeWithInterval(value - base, slice.intervals?.[rank]),
          ]
        : []),
      status,
    ];
  });
  const head = [
    'Slice',
    'Rows',
    ...metrics,
    ...(report.baseline ? [`${rank} change`] : []),
    'Status',
  ];
  const failed = new Set(checks.filter((c) => !c.passed).map((c) => c.slice)).size;
  const summary = `Slices: ${slices.length}, worst first by ${rank}${failed ? `; ${failed} failed the gate` : ''}`;
  const more =
    slices.length > SHOWN ? `\n\n${slices.length - SHOWN} more slices are in the JSON report.` : '';
  return [
    `<details><summary>${summary}</summary>`,
    '',
    markdownTable([head, ...rows], { align: ['l', ...head.slice(1).map(() => 'r' as const)] }) +
      more,
    '',
    '</details>',
  ].join('\n');
}
