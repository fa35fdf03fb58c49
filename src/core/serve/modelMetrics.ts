import { escapeLabel, LATENCY_BUCKETS } from './metrics.js';

/** Which part a model plays: it answers (primary, canary) or is only compared (shadow). */
export type ModelRole = 'primary' | 'canary' | 'shadow';

/** Upper bounds of the |score difference| histogram between primary and shadow, per row. */
export const SCORE_DIFFERENCE_BUCKETS = [0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.5, 1];

interface Histogram {
  count: number;
  sum: number;
  buckets: number[];
}

const histogram = (bounds: readonly number[]): Histogram => ({
  count: 0,
  sum: 0,
  buckets: bounds.map(() => 0),
});

function observe(h: Histogram, bounds: readonly number[], value: number): void {
  h.count++;
  h.sum += value;
  bounds.forEach((bound, i) => {
    if (value <= bound) h.buckets[i]!++;
  });
}

function histogramLines(
  name: string,
  labels: string,
  h: Histogram,
  bounds: readonly number[],
): string[] {
  const sep = labels ? `${labels},` : '';
  return [
    ...bounds.map((bound, i) => `${name}_bucket{${sep}le="${bound}"} ${h.buckets[i]}`),
    `${name}_bucket{${sep}le="+Inf"} ${h.count}`,
    `${name}_sum${labels ? `{${labels}}` : ''} ${h.sum}`,
    `${name}_count${labels ? `{${labels}}` : ''} ${h.count}`,
  ];
}

/**
 * Per-model inference latency (primary, canary, shadow) and, with a shadow, how its answers
 * compare with the primary's: Prometheus text appended to /metrics.
 */
export class ModelMetrics {
  private readonly latency = new Map<string, { labels: string; h: Histogram }>();
  private readonly differences = histogram(SCORE_DIFFERENCE_BUCKETS);
  private readonly shadow = { compared: 0, failed: 0, dropped: 0 };
  private labelsCompared = 0;
  private labelsAgreed = 0;

  constructor(private readonly withShadow: boolean) {}

  /** One model run: how long the model took to answer a request. */
  observeModel(role: ModelRole, name: string, version: string, seconds: number): void {
    const labels = `role="${role}",model="${escapeLabel(name)}",version="${escapeLabel(version)}"`;
    let entry = this.latency.get(labels);
    if (!entry) {
      entry = { labels, h: histogram(LATENCY_BUCKETS) };
      this.latency.set(labels, entry);
    }
    observe(entry.h, LATENCY_BUCKETS, seconds);
  }

  /** One request scored by the shadow and compared with the primary's answer. */
  observeComparison(comparison: { labels: number; agreed: number; differences: number[] }): void {
    this.shadow.compared++;
    this.labelsCompared += comparison.labels;
    this.labelsAgreed += comparison.agreed;
    for (const d of comparison.differences) observe(this.differences, SCORE_DIFFERENCE_BUCKETS, d);
  }

  shadowFailed(): void {
    this.shadow.failed++;
  }

  shadowDropped(): void {
    this.shadow.dropped++;
  }

  render(): string[] {
    const lines = [
      '# HELP modelship_model_duration_seconds Time a model took to score a request, by role.',
      '# TYPE modelship_model_duration_seconds histogram',
    ];
    const all = [...this.latency.values()].sort((a, b) => (a.labels < b.labels ? -1 : 1));
    for (const { labels, h } of all)
      lines.push(...histogramLines('modelship_model_duration_seconds', labels, h, LATENCY_BUCKETS));
    if (!this.withShadow) return lines;
    lines.push(
      '# HELP modelship_shadow_requests_total Requests sent to the shadow, by outcome (compared, failed, dropped when its queue was full).',
      '# TYPE modelship_shadow_requests_total counter',
      ...(['compared', 'failed', 'dropped'] as const).map(
        (outcome) =>
          `modelship_shadow_requests_total{outcome="${outcome}"} ${this.shadow[outcome]}`,
      ),
      '# HELP modelship_shadow_labels_compared_total Rows whose labels the primary and the shadow both gave.',
      '# TYPE modelship_shadow_labels_compared_total counter',
      `modelship_shadow_labels_compared_total ${this.labelsCompared}`,
      '# HELP modelship_shadow_labels_agreed_total Rows on which the shadow gave the primary’s label.',
      '# TYPE modelship_shadow_labels_agreed_total counter',
      `modelship_shadow_labels_agreed_total ${this.labelsAgreed}`,
      '# HELP modelship_shadow_label_agreement_ratio Labels agreed over labels compared (NaN before any).',
      '# TYPE modelship_shadow_label_agreement_ratio gauge',
      `modelship_shadow_label_agreement_ratio ${this.labelsCompared ? this.labelsAgreed / this.labelsCompared : 'NaN'}`,
      '# HELP modelship_shadow_score_difference |primary score − shadow score| per row (P(positive), the largest class probability change, or the regression prediction).',
      '# TYPE modelship_shadow_score_difference histogram',
      ...histogramLines(
        'modelship_shadow_score_difference',
        '',
        this.differences,
        SCORE_DIFFERENCE_BUCKETS,
      ),
    );
    return lines;
  }
}
