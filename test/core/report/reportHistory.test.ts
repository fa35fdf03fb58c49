import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvaluationReport } from '../../../src/core/evaluation/evaluationReport.js';
import { evaluationMarkdown } from '../../../src/core/report/evaluationMarkdown.js';
import { historySection, mermaidLabel } from '../../../src/core/report/historyChart.js';
import type { ModelRelease } from '../../../src/github/releases/apiRelease.js';
import { releaseHistory } from '../../../src/github/releases/history.js';

/** A registry of releases whose metrics.json bodies are given as text. */
function registry(releases: { release: ModelRelease; metrics?: string }[]) {
  return {
    list: () => Promise.resolve(releases.map((r) => r.release)),
    download: (release: ModelRelease, names: readonly string[], dir: string) => {
      const body = releases.find((r) => r.release.id === release.id)!.metrics!;
      expect(names).toEqual(['metrics.json']);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, 'metrics.json');
      writeFileSync(path, body);
      return Promise.resolve([{ name: 'metrics.json', path, sha256: '', size: body.length }]);
    },
  };
}

function release(
  version: number,
  flags: { draft?: boolean; prerelease?: boolean; noMetrics?: boolean; noSums?: boolean } = {},
): ModelRelease {
  const assets = [{ id: 1, name: 'model.onnx', size: 1, digest: null }];
  if (!flags.noMetrics) assets.push({ id: 2, name: 'metrics.json', size: 1, digest: null });
  // The metrics are verified against it: a release without one is left out of the chart.
  if (!flags.noSums) assets.push({ id: 3, name: 'SHA256SUMS', size: 1, digest: null });
  return {
    major: 1,
    minor: version,
    patch: 0,
    prerelease: flags.prerelease ?? false,
    id: version,
    tag: `credit-risk-v1.${version}.0`,
    draft: flags.draft ?? false,
    createdAt: `2026-0${version}-01T00:00:00Z`,
    publishedAt: `2026-0${version}-01T00:00:00Z`,
    htmlUrl: '',
    assets,
  } as ModelRelease;
}

const metricsJson = (auc: number | null) => JSON.stringify({ metrics: { roc_auc: auc, f1: 0.5 } });

describe('releaseHistory', () => {
  it('reads the newest published releases with a metrics.json, oldest first', async () => {
    const history = await releaseHistory(
      registry([
        { release: release(5, { draft: true }), metrics: metricsJson(0.1) },
        { release: release(4, { prerelease: true }), metrics: metricsJson(0.2) },
        { release: release(3), metrics: metricsJson(0.8) },
        { release: release(2, { noMetrics: true }) },
        { release: release(6, { noSums: true }), metrics: metricsJson(0.3) },
        { release: release(1), metrics: 'not json' },
        { release: release(0), metrics: metricsJson(0.7) },
      ]),
      'credit-risk',
    );
    expect(history).toEqual([
      {
        tag: 'credit-risk-v1.0.0',
        published: '2026-00-01T00:00:00Z',
        metrics: { roc_auc: 0.7, f1: 0.5 },
      },
      {
        tag: 'credit-risk-v1.3.0',
        published: '2026-03-01T00:00:00Z',
        metrics: { roc_auc: 0.8, f1: 0.5 },
      },
    ]);
  });

  it('keeps the last `count` releases and is empty before the first', async () => {
    const three = [3, 2, 1].map((v) => ({ release: release(v), metrics: metricsJson(v / 10) }));
    const history = await releaseHistory(registry(three), 'credit-risk', 2);
    expect(history.map((h) => h.tag)).toEqual(['credit-risk-v1.2.0', 'credit-risk-v1.3.0']);
    expect(await releaseHistory(registry([]), 'credit-risk')).toEqual([]);
  });
});

const HISTORY = [
  { tag: 'credit-risk-v1.0.0', published: null, metrics: { roc_auc: 0.74, log_loss: 0.55 } },
  { tag: 'credit-risk-v1.1.0', published: null, metrics: { roc_auc: 0.764, log_loss: null } },
];

describe('historySection', () => {
  it('charts each metric over the releases with the candidate last', () => {
    const text = historySection(HISTORY, { roc_auc: 0.7658, log_loss: 0.5 }, [
      'roc_auc',
      'log_loss',
    ]);
    expect(text).toContain('<details><summary>History: gated metrics over the last 2 releases');
    expect(text).toContain(
      [
        '```mermaid',
        'xychart-beta',
        '  title "roc_auc"',
        '  x-axis ["credit-risk-v1.0.0", "credit-risk-v1.1.0", "candidate"]',
        '  y-axis "roc_auc" 0.7374 --> 0.7684',
        '  line [0.7400, 0.7640, 0.7658]',
        '```',
      ].join('\n'),
    );
    // A release without the metric is left out of that metric's chart only.
    expect(text).toContain('  x-axis ["credit-risk-v1.0.0", "candidate"]');
  });

  it('is empty when no release has a gated metric', () => {
    expect(historySection([], { roc_auc: 0.7 }, ['roc_auc'])).toBe('');
    expect(historySection(HISTORY, { f1: 0.7 }, ['f1'])).toBe('');
  });

  it('makes labels inert inside a mermaid string', () => {
    expect(mermaidLabel('a"] --> x\n```<b>')).toBe('a__ --_ x_____b_');
    expect(mermaidLabel('x'.repeat(50))).toHaveLength(40);
  });
});

describe('the report’s history', () => {
  const report = {
    name: 'credit-risk',
    task: 'binary-classification',
    rows: 300,
    data: 'eval.csv',
    candidate: { path: 'm.onnx', sha256: 'a'.repeat(64), provider: 'cpu' },
    metrics: { roc_auc: 0.7658, log_loss: 0.5 },
    fairness: {},
    confusion: null,
    baseline: null,
    gate: {
      passed: true,
      notes: [],
      checks: [
        {
          metric: 'roc_auc',
          rule: 'min',
          threshold: 0.7,
          candidate: 0.7658,
          baseline: null,
          passed: true,
          message: 'ok',
        },
      ],
    },
    created: '2026-12-07T00:00:00Z',
  } as unknown as EvaluationReport;

  it('charts the gated metrics only, and is omitted without releases', () => {
    const markdown = evaluationMarkdown({ ...report, history: HISTORY });
    expect(markdown).toContain('title "roc_auc"');
    expect(markdown).not.toContain('title "log_loss"');
    expect(evaluationMarkdown(report)).not.toContain('History:');
    expect(evaluationMarkdown({ ...report, history: [] })).not.toContain('History:');
  });
});
