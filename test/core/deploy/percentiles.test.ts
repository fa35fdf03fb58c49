// The load test's percentiles against numpy's default method ('linear'), computed at test time by
// the system Python on the same samples: small, tied, skewed and large, at the quantiles deploy
// reports and a few in between.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quantileOfSorted, quantiles } from '../../../src/core/deploy/percentiles.js';
import { seededRandom } from '../../support/prng.js';
import { SYSTEM_PYTHON, systemRequirements } from '../../support/systemRequirements.js';

const numpy = systemRequirements(['python-sklearn']);
const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

/** numpy.percentile(sample, 100·q) for every q, by the system Python. */
function numpyPercentiles(samples: number[][]): number[][] {
  const script =
    'import json, sys\nimport numpy as np\ncase = json.load(sys.stdin)\n' +
    "print(json.dumps([np.percentile(np.asarray(s, dtype=float), [100 * q for q in case['qs']]).tolist() for s in case['samples']]))";
  const run = spawnSync(SYSTEM_PYTHON, ['-c', script], {
    input: JSON.stringify({ samples, qs: QS }),
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as number[][];
}

describe('percentiles, by numpy’s linear method', () => {
  it('equal numpy.percentile on every sample and quantile', numpy.options, () => {
    numpy.check();
    const random = seededRandom(20261207);
    const samples = [
      [42],
      [3, 1],
      [1, 2, 3, 4, 10],
      [5, 5, 5, 1, 1, 9, 9, 9, 9],
      // Latencies as a load test sees them: mostly fast, a slow tail.
      Array.from({ length: 997 }, () => 5 + 20 * random() + (random() < 0.02 ? 400 * random() : 0)),
      Array.from({ length: 10_000 }, () => Math.round(1000 * random()) / 10),
    ];
    const expected = numpyPercentiles(samples);
    samples.forEach((sample, i) => {
      const ours = quantiles(sample, QS)!;
      ours.forEach((value, j) => {
        const reference = expected[i]![j]!;
        expect(Math.abs(value - reference)).toBeLessThanOrEqual(
          1e-12 * Math.max(1, Math.abs(reference)),
        );
      });
    });
  });

  it('interpolate between order statistics, as hand-computed', () => {
    // n = 5: p95 sits at rank 3.8, 4 + 0.8 · (10 − 4).
    const [p50, p95, max] = quantiles([10, 1, 4, 3, 2], [0.5, 0.95, 1])!;
    expect([p50, max]).toEqual([3, 10]);
    expect(p95).toBeCloseTo(8.8, 12);
    // The input is left as it was.
    const sample = [3, 1, 2];
    quantiles(sample, [0.5]);
    expect(sample).toEqual([3, 1, 2]);
  });

  it('have no value for an empty sample, and refuse a quantile outside 0..1', () => {
    expect(quantiles([], [0.5])).toBeUndefined();
    expect(() => quantileOfSorted([1, 2], 1.5)).toThrow('quantile 1.5 is outside 0..1');
    expect(() => quantileOfSorted([1, 2], Number.NaN)).toThrow(RangeError);
  });
});
