// Fairness beyond binary through evaluate: a regression and a multiclass model on a small holdout,
// per-group errors and accuracy, small groups, slices and the gate on the new disparities.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { evaluate } from '../../../src/core/evaluation/evaluate.js';
import {
  linearRegressionModel,
  softmaxRegressionModel,
} from '../../../src/core/model/onnxWriter.js';
import { evaluationMarkdown } from '../../../src/core/report/evaluationMarkdown.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

/** 120 rows: groups a (60), b (50) and c (10, under min_group_size 30); x in a fixed pattern. */
const ROWS = Array.from({ length: 120 }, (_, i) => ({
  x1: (i % 7) - 3,
  x2: ((i * 3) % 11) / 5,
  group: i < 60 ? 'a' : i < 110 ? 'b' : 'c',
}));

function project(
  name: string,
  model: Uint8Array,
  target: (r: (typeof ROWS)[number], i: number) => string,
  extra: object,
): string {
  const lines = ROWS.map((r, i) => [r.x1, r.x2, r.group, target(r, i)].join(','));
  writeFileSync(join(dir, `${name}.csv`), `x1,x2,group,y\n${lines.join('\n')}\n`);
  writeFileSync(join(dir, `${name}.onnx`), model);
  const file = join(dir, `${name}.yml`);
  writeFileSync(
    file,
    stringify({
      model: { name, path: `${name}.onnx`, target: 'y', features: ['x1', 'x2'], ...extra },
      data: { eval: `${name}.csv` },
    }),
  );
  return file;
}

describe('regression fairness and slices in evaluate', () => {
  // y = x1 + 2·x2 + 0.5, off by +1 in group b and +3 in group c: the model is exact elsewhere.
  const offset = (g: string) => (g === 'b' ? 1 : g === 'c' ? 3 : 0);
  const model = linearRegressionModel({ weights: [1, 2], bias: 0.5 });

  it('reports per-group MAE and RMSE, leaves the small group out and gates mae_difference', async () => {
    const file = project('reg', model, (r) => String(r.x1 + 2 * r.x2 + 0.5 + offset(r.group)), {
      task: 'regression',
    });
    const text = `${readFileSync(file, 'utf8')}fairness:\n  sensitive: [group]\n  thresholds:\n    mae_difference: { max: 0.5 }\n    rmse_ratio: { min: 0.5 }\nslices:\n  by: [group]\n  min_count: 30\n  metrics:\n    mae: { max: 0.5 }\n`;
    writeFileSync(file, text);
    const report = await evaluate({ config: loadConfig(file) });
    const fairness = report.fairness.group!;
    expect(Object.keys(fairness.groups)).toEqual(['a', 'b', 'c']);
    expect(fairness.groups.a).toMatchObject({ count: 60 });
    expect(fairness.groups.a!.mae).toBeCloseTo(0, 5);
    expect(fairness.groups.b!.mae).toBeCloseTo(1, 5);
    expect(fairness.groups.c!.rmse).toBeCloseTo(3, 5);
    expect(fairness.small_groups).toEqual(['c']);
    // Over a and b only: c's error of 3 would make the difference 3.
    expect(fairness.mae_difference).toBeCloseTo(1, 5);
    expect(fairness.rmse_ratio).toBeCloseTo(0, 5);
    const checks = report.gate.checks.filter((c) => c.attribute === 'group');
    expect(checks.map((c) => [c.metric, c.passed])).toEqual([
      ['mae_difference', false],
      ['rmse_ratio', false],
    ]);
    const slices = report.gate.checks.filter((c) => c.slice !== undefined);
    expect(slices.map((c) => [c.slice, c.passed])).toEqual([
      ['group = a', true],
      ['group = b', false],
    ]);
    const markdown = evaluationMarkdown(report);
    expect(markdown).toMatch(/\| Group \| +Rows \| +MAE \| +RMSE \|/);
    expect(markdown).toMatch(/\| `c` +\| 10 ⚠️ \|/);
    expect(markdown).toMatch(/\| mae_difference +\| +— \| +1\.0000[ (]/);
    expect(markdown).not.toContain('demographic_parity');
  });
});

describe('multiclass fairness in evaluate', () => {
  it('reports per-group accuracy with accuracy_difference and accuracy_ratio', async () => {
    // Class = argmax of (x1, −x1, 0.1): the truth agrees in group a, is shifted by one in b.
    const model = softmaxRegressionModel({
      weights: [
        [1, -1, 0],
        [0, 0, 0],
      ],
      bias: [0, 0, 0.1],
    });
    const predicted = (r: (typeof ROWS)[number]) => (r.x1 > 0.1 ? 0 : -r.x1 > 0.1 ? 1 : 2);
    const file = project(
      'multi',
      model,
      (r, i) =>
        ['k0', 'k1', 'k2'][r.group === 'b' && i % 2 === 0 ? (predicted(r) + 1) % 3 : predicted(r)]!,
      { task: 'multiclass-classification', classes: ['k0', 'k1', 'k2'] },
    );
    writeFileSync(
      file,
      `${readFileSync(file, 'utf8')}fairness:\n  sensitive: [group]\n  min_group_size: 1\n  thresholds:\n    accuracy_ratio: { min: 0.8 }\n`,
    );
    const report = await evaluate({ config: loadConfig(file) });
    const fairness = report.fairness.group!;
    expect(fairness.groups.a).toEqual({ count: 60, accuracy: 1 });
    expect(fairness.groups.b).toEqual({ count: 50, accuracy: 0.5 });
    expect(fairness.groups.c).toEqual({ count: 10, accuracy: 1 });
    expect(fairness.small_groups).toEqual([]);
    expect(fairness.accuracy_difference).toBe(0.5);
    expect(fairness.accuracy_ratio).toBe(0.5);
    expect(report.gate.passed).toBe(false);
    expect(report.gate.checks[0]!.message).toBe('accuracy_ratio for group 0.5000 < 0.8000 (min)');
  });
});
