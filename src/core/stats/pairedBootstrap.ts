import { drawCounts, Xoshiro128 } from './random.js';
import type { WeightedStatistic } from './weightedStatistic.js';

/** How many resamples, from which seed. */
export interface BootstrapSettings {
  replicates: number;
  seed: number;
}

/**
 * A paired bootstrap over the rows: each replicate draws one resample of row indices (see
 * random.ts) and evaluates every statistic on it, so a candidate's and a baseline's values move
 * together and their difference keeps its pairing. Returns, per statistic and per key, the
 * replicate values in draw order (NaN where a metric is undefined in a resample).
 */
export function pairedBootstrap(
  rows: number,
  statistics: readonly WeightedStatistic[],
  settings: BootstrapSettings,
): Float64Array[][] {
  const { replicates, seed } = settings;
  const random = new Xoshiro128(seed);
  const counts = new Uint8Array(rows);
  const out = statistics.map((s) => s.keys.map(() => new Float64Array(replicates)));
  const histograms = statistics.map((s) => s.channels.map((c) => new Float64Array(c.size)));
  const sums = statistics.map((s) => new Float64Array(s.sums.length));
  const values = statistics.map((s) => new Float64Array(s.keys.length));
  for (let r = 0; r < replicates; r++) {
    drawCounts(random, counts);
    for (let s = 0; s < statistics.length; s++) {
      const statistic = statistics[s]!;
      for (let c = 0; c < statistic.channels.length; c++) {
        const histogram = histograms[s]![c]!;
        histogram.fill(0);
        const codes = statistic.channels[c]!.codes;
        for (let i = 0; i < rows; i++) histogram[codes[i]!]! += counts[i]!;
      }
      for (let k = 0; k < statistic.sums.length; k++)
        sums[s]![k] = weightedSum(statistic.sums[k]!, counts);
      statistic.compute(histograms[s]!, sums[s]!, rows, values[s]!);
      for (let k = 0; k < values[s]!.length; k++) out[s]![k]![r] = values[s]![k]!;
    }
  }
  return out;
}

/** Σ counts[i]·values[i], in blocks of 4096 rows as the metrics sum (see SUM_MASK). */
function weightedSum(values: Float64Array, counts: Uint8Array): number {
  let total = 0;
  for (let start = 0; start < values.length; start += 4096) {
    const end = Math.min(values.length, start + 4096);
    let block = 0;
    for (let i = start; i < end; i++) block += counts[i]! * values[i]!;
    total += block;
  }
  return total;
}

/** A statistic's values on the whole sample (every row weight 1): its point estimates. */
export function pointValues(rows: number, statistic: WeightedStatistic): Float64Array {
  const ones = new Uint8Array(rows).fill(1);
  const histograms = statistic.channels.map((c) => {
    const histogram = new Float64Array(c.size);
    for (let i = 0; i < rows; i++) histogram[c.codes[i]!]!++;
    return histogram;
  });
  const sums = Float64Array.from(statistic.sums, (values) => weightedSum(values, ones));
  const out = new Float64Array(statistic.keys.length);
  statistic.compute(histograms, sums, rows, out);
  return out;
}
