import { describe, expect, it } from 'vitest';
import { binaryMetrics } from '../../../src/core/metrics/binary.js';
import {
  binaryStatistic,
  delongAuc,
  delongPaired,
  drawCounts,
  groupCodes,
  metricIntervals,
  midranks,
  multiclassStatistic,
  normalQuantile,
  pairedBootstrap,
  percentileInterval,
  regressionStatistic,
  Xoshiro128,
  type WeightedStatistic,
} from '../../../src/core/stats/index.js';
import {
  bootstrapReference,
  delongReference,
  type BootstrapCase,
} from '../../support/intervalReference.js';
import { seededRandom } from '../../support/prng.js';
import { systemRequirements } from '../../support/systemRequirements.js';

const sklearn = systemRequirements(['python-sklearn']);

/** Labels and two correlated models' scores, rounded to 2 decimals so that ties occur. */
function binaryCase(rows: number, seed: number) {
  const random = seededRandom(seed);
  const yTrue = new Uint8Array(rows);
  const candidate = new Float64Array(rows);
  const baseline = new Float64Array(rows);
  const sex: string[] = [];
  const region: string[] = [];
  for (let i = 0; i < rows; i++) {
    yTrue[i] = random() < 0.35 ? 1 : 0;
    const shared = random();
    const clip = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 100) / 100;
    candidate[i] = clip(0.35 * yTrue[i]! + 0.65 * shared);
    baseline[i] = clip(0.3 * yTrue[i]! + 0.55 * shared + 0.15 * random());
    sex.push(random() < 0.3 ? 'F' : 'M');
    region.push(['north', 'south', 'east'][Math.floor(random() * 3)]!);
  }
  return { yTrue, candidate, baseline, sex, region };
}

const TOLERANCE = 1e-9;

/** Every key's candidate and change interval of metricIntervals against the Python reference. */
function expectAgreement(
  rows: number,
  candidate: WeightedStatistic,
  baseline: WeightedStatistic,
  input: BootstrapCase,
): void {
  const reference = bootstrapReference(input);
  const settings = { replicates: input.replicates, seed: input.seed };
  const intervals = metricIntervals(rows, candidate, baseline, settings);
  candidate.keys.forEach((key, k) => {
    for (const kind of ['value', 'change'] as const) {
      const expected = (kind === 'value' ? reference.values : reference.changes)[k];
      const actual = intervals.interval(kind, key.metric, key.attribute, input.confidence);
      const where = `${kind} of ${key.attribute ?? ''} ${key.metric}`;
      if (expected === null || expected === undefined) {
        expect(actual, where).toBeNull();
        continue;
      }
      expect(actual?.method).toBe('bootstrap-percentile');
      expect(Math.abs(actual!.low - expected[0]), where).toBeLessThan(TOLERANCE);
      expect(Math.abs(actual!.high - expected[1]), where).toBeLessThan(TOLERANCE);
    }
  });
}

describe('DeLong against a pairwise Python implementation', sklearn.options, () => {
  it('agrees on the AUCs, variances, covariance, p-value and intervals to 1e-9', () => {
    sklearn.check();
    const { yTrue, candidate, baseline } = binaryCase(400, 11);
    const reference = delongReference({
      kind: 'delong',
      yTrue: [...yTrue],
      candidate: [...candidate],
      baseline: [...baseline],
      confidence: 0.9,
    });
    const paired = delongPaired(yTrue, candidate, baseline)!;
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(TOLERANCE);
    close(paired.candidate.auc, reference.candidate);
    close(paired.candidate.auc, binaryMetrics(yTrue, candidate, 0.5).roc_auc!);
    close(paired.baseline.auc, reference.baseline);
    close(paired.candidate.variance, reference.varCandidate);
    close(paired.baseline.variance, reference.varBaseline);
    close(paired.covariance, reference.covariance);
    close(paired.differenceVariance, reference.differenceVariance);
    close(paired.pValue, reference.pValue);
    const intervals = metricIntervals(
      yTrue.length,
      binaryStatistic(yTrue, candidate, 0.5),
      binaryStatistic(yTrue, baseline, 0.5),
      { replicates: 10, seed: 1 },
      { yTrue, candidate, baseline },
    );
    const value = intervals.interval('value', 'roc_auc', undefined, 0.9)!;
    const change = intervals.interval('change', 'roc_auc', undefined, 0.9)!;
    expect(value.method).toBe('delong');
    close(value.low, reference.low);
    close(value.high, reference.high);
    close(change.low, reference.changeLow);
    close(change.high, reference.changeHigh);
  });
});

describe('paired bootstrap against Python with the same resample indices', sklearn.options, () => {
  it('draws the same row indices as the Python port of xoshiro128**', () => {
    sklearn.check();
    const { yTrue, candidate, baseline } = binaryCase(97, 3);
    const input: BootstrapCase = {
      kind: 'bootstrap',
      task: 'binary',
      yTrue: [...yTrue],
      candidate: [...candidate],
      baseline: [...baseline],
      threshold: 0.5,
      replicates: 1,
      seed: 987654321,
      confidence: 0.95,
    };
    const counts = new Uint8Array(97);
    drawCounts(new Xoshiro128(987654321), counts);
    const expected = new Uint8Array(97);
    for (const index of bootstrapReference(input).indices) expected[index]!++;
    expect([...counts]).toEqual([...expected]);
  });

  it('binary metrics and fairness disparities of two attributes agree to 1e-9', () => {
    sklearn.check();
    const { yTrue, candidate, baseline, sex, region } = binaryCase(300, 5);
    const groups = [groupCodes('sex', sex), groupCodes('region', region)];
    expectAgreement(
      300,
      binaryStatistic(yTrue, candidate, 0.4, groups),
      binaryStatistic(yTrue, baseline, 0.4, groups),
      {
        kind: 'bootstrap',
        task: 'binary',
        yTrue: [...yTrue],
        candidate: [...candidate],
        baseline: [...baseline],
        threshold: 0.4,
        groups: [sex, region],
        replicates: 200,
        seed: 7,
        confidence: 0.95,
      },
    );
  });

  it('multiclass metrics and per-group accuracy disparities agree to 1e-9', () => {
    sklearn.check();
    const random = seededRandom(9);
    const rows = 250;
    const classes = 3;
    const yTrue = new Int32Array(rows);
    const a: number[][] = [];
    const b: number[][] = [];
    for (let i = 0; i < rows; i++) {
      yTrue[i] = Math.floor(random() * classes);
      for (const out of [a, b]) {
        const raw = Array.from(
          { length: classes },
          (_, k) => random() + (k === yTrue[i] ? 0.6 : 0),
        );
        const total = raw.reduce((s, v) => s + v, 0);
        out.push(raw.map((v) => v / total));
      }
    }
    const region = Array.from({ length: rows }, () => ['n', 's', 'e'][Math.floor(random() * 3)]!);
    const groups = [groupCodes('region', region)];
    expectAgreement(
      rows,
      multiclassStatistic(yTrue, Float64Array.from(a.flat()), classes, groups),
      multiclassStatistic(yTrue, Float64Array.from(b.flat()), classes, groups),
      {
        kind: 'bootstrap',
        task: 'multiclass',
        yTrue: [...yTrue],
        candidate: a,
        baseline: b,
        groups: [region],
        replicates: 150,
        seed: 12,
        confidence: 0.9,
      },
    );
  });

  it('regression metrics and per-group MAE/RMSE disparities agree to 1e-9', () => {
    sklearn.check();
    const random = seededRandom(21);
    const rows = 200;
    const yTrue = Float64Array.from({ length: rows }, () => 50 + 10 * random());
    const a = yTrue.map((y) => y + 3 * (random() - 0.5));
    const b = yTrue.map((y) => y + 4 * (random() - 0.45));
    const sex = Array.from({ length: rows }, () => (random() < 0.4 ? 'F' : 'M'));
    const groups = [groupCodes('sex', sex)];
    const stat = (p: Float64Array) => regressionStatistic(yTrue, p, groups);
    expectAgreement(rows, stat(a), stat(b), {
      kind: 'bootstrap',
      task: 'regression',
      yTrue: [...yTrue],
      candidate: [...a],
      baseline: [...b],
      groups: [sex],
      replicates: 150,
      seed: 4,
      confidence: 0.95,
    });
  });
});

describe('intervals without a reference tool', () => {
  it('midranks average tied ranks', () => {
    expect([...midranks(Float64Array.from([0.3, 0.1, 0.3, 0.2, 0.3]))]).toEqual([4, 1, 4, 2, 4]);
  });

  it('the normal quantile matches scipy.stats.norm.ppf', () => {
    // Values printed by scipy 1.10: norm.ppf(0.975), norm.ppf(0.95), norm.ppf(1e-10).
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514722, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
  });

  it('percentiles interpolate linearly as numpy does', () => {
    // np.percentile([1, 2, 3, 4, 10], [2.5, 97.5]) → [1.1, 9.4]
    const { low, high } = percentileInterval(Float64Array.from([1, 2, 3, 4, 10]), 0.95);
    expect(low).toBeCloseTo(1.1, 12);
    expect(high).toBeCloseTo(9.4, 12);
  });

  it('an identical baseline has a change of exactly 0 with a zero-width interval', () => {
    const { yTrue, candidate, sex } = binaryCase(500, 8);
    const groups = [groupCodes('sex', sex)];
    const intervals = metricIntervals(
      500,
      binaryStatistic(yTrue, candidate, 0.5, groups),
      binaryStatistic(yTrue, candidate, 0.5, groups),
      { replicates: 100, seed: 1 },
      { yTrue, candidate, baseline: candidate },
    );
    for (const metric of ['accuracy', 'f1', 'log_loss', 'roc_auc'])
      expect(intervals.interval('change', metric, undefined, 0.95)).toMatchObject({
        low: 0,
        high: 0,
      });
    const report = intervals.report(0.95);
    expect(report.metrics.roc_auc!.change!.p_value).toBe(1);
    expect(report.fairness.sex!.demographic_parity_difference!.change).toMatchObject({
      low: 0,
      high: 0,
    });
  });

  it('the same seed gives the same intervals and another seed others', () => {
    const { yTrue, candidate } = binaryCase(300, 2);
    const run = (seed: number) =>
      pairedBootstrap(300, [binaryStatistic(yTrue, candidate, 0.5)], {
        replicates: 50,
        seed,
      })[0]![0]!;
    expect([...run(5)]).toEqual([...run(5)]);
    expect([...run(5)]).not.toEqual([...run(6)]);
  });

  it('DeLong is null for one class, and the interval of a perfect model is [1, 1]', () => {
    expect(delongAuc(new Uint8Array([1, 1]), Float64Array.from([0.2, 0.3]))).toBeNull();
    const perfect = delongAuc(
      new Uint8Array([0, 0, 1, 1]),
      Float64Array.from([0.1, 0.2, 0.8, 0.9]),
    )!;
    expect(perfect).toEqual({ auc: 1, variance: 0 });
  });

  it('the point values on all rows equal binaryMetrics', () => {
    const { yTrue, candidate } = binaryCase(300, 4);
    const report = metricIntervals(300, binaryStatistic(yTrue, candidate, 0.5), null, {
      replicates: 200,
      seed: 3,
    }).report(0.95);
    const metrics = binaryMetrics(yTrue, candidate, 0.5);
    for (const metric of ['accuracy', 'f1', 'log_loss', 'brier'] as const) {
      const entry = report.metrics[metric]!;
      expect(entry.low!).toBeLessThanOrEqual(metrics[metric]);
      expect(entry.high!).toBeGreaterThanOrEqual(metrics[metric]);
      expect(entry.change).toBeUndefined();
    }
  });
});
