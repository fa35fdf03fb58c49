import { describe, expect, it } from 'vitest';
import { fairnessReport } from '../src/core/fairness/fairness.js';
import { binaryMetrics, predictLabels } from '../src/core/metrics/binary.js';
import { seededRandom } from './helpers/prng.js';

/**
 * A guard against slow paths (per-row allocation, a sort per threshold): 1,000,000 rows of binary
 * metrics and fairness over two attributes. About 0.3 s on a 2-core CI machine, where scikit-learn
 * with Fairlearn's definitions takes 3.5–5 s on the same predictions
 * (test/fixtures/reference/bench_reference.py); the bound leaves room for a loaded runner.
 */
describe('metrics and fairness speed', () => {
  it('evaluates 1,000,000 rows well within 2 seconds', () => {
    const n = 1_000_000;
    const random = seededRandom(7);
    const y = new Uint8Array(n);
    const scores = new Float64Array(n);
    const sex: string[] = new Array<string>(n);
    const age: string[] = new Array<string>(n);
    const ages = ['<25', '25-40', '40-60', '>60'];
    for (let i = 0; i < n; i++) {
      y[i] = random() < 0.3 ? 1 : 0;
      scores[i] = Math.round((0.35 * y[i]! + 0.65 * random()) * 1e4) / 1e4;
      sex[i] = random() < 0.5 ? 'female' : 'male';
      age[i] = ages[Math.floor(random() * 4)]!;
    }
    const start = performance.now();
    const metrics = binaryMetrics(y, scores, 0.5);
    const yPred = predictLabels(scores, 0.5);
    const bySex = fairnessReport(sex, y, yPred);
    const byAge = fairnessReport(age, y, yPred);
    const elapsed = performance.now() - start;
    expect(metrics.roc_auc).toBeGreaterThan(0.5);
    expect(Object.keys(bySex.groups)).toEqual(['female', 'male']);
    expect(Object.keys(byAge.groups)).toHaveLength(4);
    expect(elapsed).toBeLessThan(2000);
  });
});
