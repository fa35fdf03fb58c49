import type { EvaluationReport } from '../../core/evaluation/evaluationReport.js';
import { evaluationMarkdown } from '../../core/report/evaluationMarkdown.js';
import { trimMarkdown } from '../../github/textLimits.js';

/** GitHub refuses a release body over 125,000 characters. */
export const RELEASE_BODY_LIMIT = 125_000;
const CARD_SUMMARY_LIMIT = 20_000;

/** The card's title and its first section (model details), without the YAML front matter. */
export function cardSummary(card: string): string {
  const body = card.replace(/^---\n[\s\S]*?\n---\n/, '').trim();
  const sections = body.split(/^(?=## )/m);
  return trimMarkdown(
    sections.slice(0, 2).join('').trim(),
    CARD_SUMMARY_LIMIT,
    '…the full model card is the MODEL_CARD.md asset.',
  );
}

/** The release notes: why this version, the model card summary and the comparison table. */
export function releaseBody(options: {
  card: string;
  report: EvaluationReport;
  reason: string;
  source: string;
  commit?: string;
  runUrl?: string;
}): string {
  const head = [
    cardSummary(options.card),
    `**Why this version:** ${options.reason}.`,
    `**Candidate:** ${options.source}. Full model card: \`MODEL_CARD.md\`; checksums: \`SHA256SUMS\`.`,
  ].join('\n\n');
  const room = RELEASE_BODY_LIMIT - head.length - 2;
  const table = evaluationMarkdown(
    options.report,
    { commit: options.commit, runUrl: options.runUrl, fullReportUrl: options.runUrl },
    room,
  );
  return `${head}\n\n${table}`.slice(0, RELEASE_BODY_LIMIT);
}
