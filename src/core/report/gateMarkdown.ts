import { markdownTable } from 'markdown-table';
import type { GateResult } from '../evaluation/evaluationReport.js';
import { codeSpan, escapeMarkdown } from './markdownEscape.js';
import { formatValue } from './numberFormat.js';

/** The gate alone as markdown: verdict, then one row per check. */
export function gateMarkdown(model: string, gate: GateResult): string {
  const failed = gate.checks.filter((c) => !c.passed).length;
  const lines = [
    `## Modelship gate · ${codeSpan(model)}`,
    '',
    gate.passed
      ? `### ✅ Gate passed: ${gate.checks.length} checks`
      : `### ❌ Gate failed: ${failed} of ${gate.checks.length} checks`,
    '',
  ];
  for (const note of gate.notes) lines.push(`> [!NOTE]\n> ${escapeMarkdown(note)}`, '');
  if (gate.checks.length) {
    lines.push(
      markdownTable([
        ['', 'Metric', 'Rule', 'Threshold', 'Baseline', 'Candidate', 'Message'],
        ...gate.checks.map((c) => [
          c.passed ? '✅' : '❌',
          c.attribute ? `${c.metric} (${codeSpan(c.attribute)})` : c.metric,
          c.rule,
          formatValue(c.threshold),
          formatValue(c.baseline),
          formatValue(c.candidate),
          escapeMarkdown(c.message),
        ]),
      ]),
    );
  }
  return lines.join('\n');
}
