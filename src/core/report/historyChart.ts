import type { ReleaseMetrics } from '../evaluation/evaluationReport.js';

/** A label inside a mermaid string: quotes, brackets and markup could end it or the block. */
export function mermaidLabel(text: string): string {
  const safe = text.replace(/[^\w .:+\-/@]/g, '_');
  return safe.length > 40 ? `${safe.slice(0, 39)}…` : safe;
}

/** A y-axis range around the values with a margin, so equal values still draw a line. */
function axisRange(values: readonly number[]): [number, number] {
  const low = Math.min(...values);
  const high = Math.max(...values);
  const margin = high > low ? (high - low) * 0.1 : Math.max(Math.abs(high) * 0.05, 0.01);
  return [low - margin, high + margin];
}

/** One metric's line over the releases that have it (oldest first), the candidate last. */
function metricChart(
  metric: string,
  history: readonly ReleaseMetrics[],
  candidate: number | null,
): string {
  const points: [string, number][] = [];
  for (const release of history) {
    const value = release.metrics[metric];
    if (typeof value === 'number' && Number.isFinite(value)) points.push([release.tag, value]);
  }
  if (points.length === 0) return '';
  if (candidate !== null && Number.isFinite(candidate)) points.push(['candidate', candidate]);
  const [low, high] = axisRange(points.map(([, v]) => v));
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${mermaidLabel(metric)}"`,
    `  x-axis [${points.map(([label]) => `"${mermaidLabel(label)}"`).join(', ')}]`,
    `  y-axis "${mermaidLabel(metric)}" ${low.toFixed(4)} --> ${high.toFixed(4)}`,
    `  line [${points.map(([, v]) => v.toFixed(4)).join(', ')}]`,
    '```',
  ].join('\n');
}

/**
 * Each gated metric over the production releases (newest `history` last after sorting oldest
 * first) with the candidate last, as mermaid xycharts in a folded section; '' when no release
 * has any of the metrics.
 */
export function historySection(
  history: readonly ReleaseMetrics[],
  candidate: Readonly<Record<string, number | null | undefined>>,
  metrics: readonly string[],
): string {
  const charts = metrics
    .map((metric) => metricChart(metric, history, candidate[metric] ?? null))
    .filter(Boolean);
  if (charts.length === 0) return '';
  const releases = history.length === 1 ? 'release' : `${history.length} releases`;
  return [
    `<details><summary>History: gated metrics over the last ${releases}, the candidate last</summary>`,
    '',
    ...charts.flatMap((chart) => [chart, '']),
    '</details>',
  ].join('\n');
}
