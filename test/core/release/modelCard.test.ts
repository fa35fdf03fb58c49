// MODEL_CARD.md from buildModelCard: hostile strings from data and config stay inert markdown,
// and the front matter stays one YAML document.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { modelshipConfigSchema } from '../../../src/core/config/modelshipConfig.js';
import type { EvaluationReport } from '../../../src/core/evaluation/evaluationReport.js';
import { buildModelCard, type ModelCardInput } from '../../../src/core/release/modelCard.js';
import type { RunManifest } from '../../../src/core/train/runManifest.js';

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '[click](https://evil.example)',
  '@octocat #123',
  'a|b | c',
  '`tick` ``two``',
  '**bold** _em_',
  'line\n## Injected heading',
  '---\nlicense: mit',
];

const group = (count: number) => ({
  count,
  selection_rate: 0.25,
  tpr: 0.5,
  fpr: 0.125,
  accuracy: 0.75,
});

function input(overrides: Partial<ModelCardInput> = {}): ModelCardInput {
  const config = modelshipConfigSchema.parse({
    model: {
      name: 'risk',
      task: 'binary-classification',
      path: 'm.onnx',
      target: 'y',
      positive: '<b>bad</b>',
      features: ['x', { column: '<script>', one_hot: ['a'] }],
    },
    data: { train: 'data/<train>.csv', eval: 'data/eval|x.csv', schema: 's.yml' },
    fairness: { sensitive: ['<attr>'] },
    card: {
      description: '<script>alert(1)</script> [x](javascript:alert(1))',
      license: 'CC-BY-4.0 (data)',
      contact: '@maintainers <mail@example.com>',
      ethical_considerations: '# not a heading\n<iframe>',
    },
  });
  const report: EvaluationReport = {
    name: 'risk',
    task: 'binary-classification',
    rows: 40,
    data: 'data/eval|x.csv\n---',
    threshold: 0.4,
    positive: '<b>bad</b>',
    candidate: { path: 'm.onnx', sha256: 'c'.repeat(64), provider: 'cpu' },
    metrics: { accuracy: 0.123456, roc_auc: 0.98765, log_loss: null },
    fairness: {
      '<attr>': {
        groups: Object.fromEntries(HOSTILE.map((value, i) => [value, group(i + 1)])),
        demographic_parity_difference: 0.1,
        demographic_parity_ratio: 0.8,
        equalized_odds_difference: 0.3,
        equalized_odds_ratio: 0.5,
        equal_opportunity_difference: 0.05,
      },
    },
    confusion: null,
    baseline: null,
    gate: { passed: true, checks: [], notes: [] },
    created: '2025-01-01T00:00:00.000Z',
  };
  return {
    config,
    version: '1.0.0',
    created: new Date('2025-01-02T00:00:00Z'),
    report,
    model: { sha256: 'c'.repeat(64), size_bytes: 1234 },
    data: {
      eval: {
        path: 'data/eval|x.csv',
        rows: 40,
        files: [{ path: 'data/eval|x.csv', sha256: 'd'.repeat(64), bytes: 99 }],
      },
    },
    ...overrides,
  };
}

/** Table rows of the card: pipes not escaped by a backslash split cells. */
function cells(line: string): number {
  return line.replace(/\\\|/g, '').split('|').length - 2;
}

describe('buildModelCard', () => {
  const card = buildModelCard(input());

  it('keeps hostile values inert', () => {
    const body = card.slice(card.indexOf('\n---\n') + 5);
    // Inside code spans text is inert; outside them no HTML, link, mention or heading survives.
    const prose = body.replace(/(`+)[\s\S]*?\1/g, '');
    expect(prose).not.toMatch(/<(img|script|iframe|b)\b/i);
    expect(prose).not.toMatch(/\]\((https?|javascript):/);
    expect(prose).not.toMatch(/(^|\s)@octocat/);
    expect(prose).not.toMatch(/(^|\s)@maintainers/);
    expect(body).not.toContain('\n## Injected heading');
    expect(body).not.toContain('\n# not a heading');
    expect(body).toContain('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    // Every group appears in a code span on one table row with the row's 6 cells intact.
    for (const value of HOSTILE) {
      const shown = value.replace(/[\r\n]+/g, ' ').replace(/\|/g, '¦');
      const row = body.split('\n').find((line) => line.includes(shown) && line.includes('0.2500'));
      expect(row, value).toBeDefined();
      expect(cells(row!)).toBe(6);
    }
    // No value breaks a table row over lines.
    for (const line of body.split('\n').filter((l) => l.startsWith('|')))
      expect(line.endsWith(' |'), line).toBe(true);
  });

  it('keeps the front matter one valid YAML document with the right keys', () => {
    expect(card.startsWith('---\n')).toBe(true);
    const end = card.indexOf('\n---\n', 4);
    const front = parse(card.slice(4, end)) as Record<string, unknown>;
    expect(front.license).toBe('other');
    expect(front.library_name).toBe('onnx');
    expect(front.datasets).toEqual(['data/<train>.csv', 'data/eval|x.csv']);
    expect(front.metrics).toEqual(['accuracy', 'roc_auc', 'log_loss']);
    const index = front['model-index'] as {
      name: string;
      results: { dataset: { name: string }; metrics: { type: string; value: number }[] }[];
    }[];
    expect(index[0]!.name).toBe('risk');
    expect(index[0]!.results[0]!.dataset.name).toBe('data/eval|x.csv ---');
    // null metrics are left out of model-index; values as the card's tables show them.
    expect(index[0]!.results[0]!.metrics).toEqual([
      { type: 'accuracy', name: 'Accuracy', value: 0.1235 },
      { type: 'roc_auc', name: 'ROC AUC', value: 0.9877 },
    ]);
    // The body has no second front matter start: only the closing line of the first.
    expect(card.split('\n').filter((line) => line === '---')).toHaveLength(2);
  });

  it('shows values to 4 decimals and undefined ones as a dash', () => {
    expect(card).toContain('| accuracy | 0.1235 |');
    expect(card).toContain('| roc\\_auc | 0.9877 |');
    expect(card).toContain('| log\\_loss | — |');
    expect(card).toContain('| equalized_odds_difference | 0.3000 |');
    expect(card).toContain('**Decision threshold:** 0.4');
  });

  it('names the training algorithm when the run manifest says', () => {
    const manifest = {
      model: { execution_provider: 'cuda' },
      run: { command: 'python train.py' },
      metrics: { model_type: 'MLP <2 layers>' },
    } as unknown as RunManifest;
    const text = buildModelCard(input({ trainManifest: manifest }));
    expect(text).toContain(
      '**Training algorithm:** MLP &lt;2 layers&gt;; trained by `python train.py` on cuda',
    );
    expect(buildModelCard(input())).toContain('**Training algorithm:** not recorded');
  });

  it('says when the card fields and sensitive attributes are missing', () => {
    const base = input();
    const { card: _card, fairness: _fairness, ...config } = base.config;
    const text = buildModelCard({
      ...base,
      config: { ...config },
      report: { ...base.report, fairness: {} },
    });
    expect(text).toContain('_Not stated (card.intended_use in modelship.yml)._');
    expect(text).toContain('No sensitive attributes are configured');
    expect(text).not.toMatch(/^license:/m);
  });
});
