// The model card's fairness for tasks beyond binary: per-group errors or accuracy and the
// task's own disparities, no binary columns.
import { describe, expect, it } from 'vitest';
import { modelshipConfigSchema } from '../../../src/core/config/modelshipConfig.js';
import type { EvaluationReport } from '../../../src/core/evaluation/evaluationReport.js';
import { regressionFairness } from '../../../src/core/fairness/errorFairness.js';
import { buildModelCard } from '../../../src/core/release/modelCard.js';

describe('buildModelCard with regression fairness', () => {
  const fairness = regressionFairness(
    ['a', 'a', 'b', 'b'],
    Float64Array.of(1, 2, 3, 4),
    Float64Array.of(1, 3, 5, 4),
  );
  const config = modelshipConfigSchema.parse({
    model: { name: 'price', task: 'regression', path: 'm.onnx', target: 'y', features: ['x'] },
    fairness: { sensitive: ['region'], min_group_size: 1 },
  });
  const report = {
    name: 'price',
    task: 'regression',
    rows: 4,
    data: 'eval.csv',
    candidate: { path: 'm.onnx', sha256: 'c'.repeat(64), provider: 'cpu' },
    metrics: { mae: 0.75, mse: 1.25, rmse: 1.118, r2: 0 },
    fairness: { region: fairness },
    confusion: null,
    baseline: null,
    gate: { passed: true, checks: [], notes: [] },
    created: '2025-01-01T00:00:00.000Z',
  } as EvaluationReport;
  const card = buildModelCard({
    config,
    version: '1.0.0',
    created: new Date('2025-01-02T00:00:00Z'),
    report,
    model: { sha256: 'c'.repeat(64), size_bytes: 1 },
    data: {},
  });

  it('shows each group’s MAE and RMSE and the regression disparities only', () => {
    expect(fairness.mae_difference).toBe(0.5);
    expect(fairness.mae_ratio).toBe(0.5);
    expect(card).toContain('| Group | Rows | Mean absolute error | Root mean squared error |');
    expect(card).toContain('| `a` | 2 | 0.5000 | 0.7071 |');
    expect(card).toContain('| `b` | 2 | 1.0000 | 1.4142 |');
    expect(card).toContain('| mae_difference | 0.5000 |');
    expect(card).toContain('| rmse_ratio | 0.5000 |');
    expect(card).not.toContain('demographic_parity');
    expect(card).not.toContain('Selection rate');
    expect(card).toContain(
      "- **Fairness metrics:** per group mean absolute error and root mean squared error; across groups the difference (largest − smallest) and ratio (smallest / largest) of each (Fairlearn's definitions).",
    );
  });
});
