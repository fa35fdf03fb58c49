import { drawCounts, Xoshiro128 } from './random.js';
import type { WeightedStatistic } from './weightedStatistic.js';

/** How many resamples, from which seed. */
export interface BootstrapSettings {
  replicates: number;
  seed: number;
}

type Codes = Uint8Array | Uint16Array | Uint32Array;

/**
 * Channels histogrammed together: one pass over the rows fills the joint histogram of their codes
 * (code = Σ code_c · stride_c), which is then folded into each channel's own. A candidate's and a
 * baseline's confusion cells thus cost one pass, not two.
 */
interface JointChannels {
  codes: Codes;
  size: number;
  /** [statistic, channel, stride, size] of each member. */
  members: [number, number, number, number][];
  histogram: Float64Array;
}

/** Joint histograms stay small next to the rows, so folding them costs little per resample. */
function jointLimit(rows: number): number {
  return Math.max(64, Math.min(65_536, Math.floor(rows / 8)));
}

function joinChannels(rows: number, statistics: readonly WeightedStatistic[]): JointChannels[] {
  const limit = jointLimit(rows);
  const groups: { members: [number, number, number, number][]; size: number }[] = [];
  statistics.forEach((s, si) =>
    s.channels.forEach((channel, ci) => {
      const open = groups.find((g) => g.size * channel.size <= limit);
      if (open) {
        open.members.push([si, ci, open.size, channel.size]);
        open.size *= channel.size;
      } else groups.push({ members: [[si, ci, 1, channel.size]], size: channel.size });
    }),
  );
  return groups.map(({ members, size }) => {
    const codes =
      size <= 256
        ? new Uint8Array(rows)
        : size <= 65_536
          ? new Uint16Array(rows)
          : new Uint32Array(rows);
    for (const [si, ci, stride] of members) {
      const own = statistics[si]!.channels[ci]!.codes;
      for (let i = 0; i < rows; i++) codes[i] = codes[i]! + own[i]! * stride;
    }
    return { codes, size, members, histogram: new Float64Array(size) };
  });
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
  const joints = joinChannels(rows, statistics);
  const histograms = statistics.map((s) =>
    [...s.channels, ...(s.weightedChannels ?? [])].map((c) => new Float64Array(c.size)),
  );
  const arrays = statistics.flatMap((s) => s.sums);
  const totals = new Float64Array(arrays.length);
  const sums = statistics.map((s) => new Float64Array(s.sums.length));
  const values = statistics.map((s) => new Float64Array(s.keys.length));
  for (let r = 0; r < replicates; r++) {
    drawCounts(random, counts);
    for (const joint of joints) {
      fillHistogram(joint.histogram, joint.codes, counts);
      for (const [si, ci, stride, size] of joint.members) {
        const own = histograms[si]![ci]!;
        own.fill(0);
        for (let j = 0; j < joint.size; j++)
          own[Math.floor(j / stride) % size]! += joint.histogram[j]!;
      }
    }
    statistics.forEach((statistic, si) =>
      statistic.weightedChannels?.forEach((channel, k) =>
        fillWeighted(histograms[si]![statistic.channels.length + k]!, channel, counts),
      ),
    );
    weightedSums(arrays, counts, totals);
    for (let s = 0, at = 0; s < statistics.length; s++) {
      const statistic = statistics[s]!;
      for (let k = 0; k < statistic.sums.length; k++) sums[s]![k] = totals[at++]!;
      statistic.compute(histograms[s]!, sums[s]!, rows, values[s]!);
      for (let k = 0; k < values[s]!.length; k++) out[s]![k]![r] = values[s]![k]!;
    }
  }
  return out;
}

function fillHistogram(histogram: Float64Array, codes: Codes, counts: Uint8Array): void {
  histogram.fill(0);
  for (let i = 0; i < codes.length; i++) histogram[codes[i]!]! += counts[i]!;
}

/** Σ counts[i]·values[i] per category of the row. */
function fillWeighted(
  histogram: Float64Array,
  channel: { codes: Uint32Array; values: Float64Array },
  counts: Uint8Array,
): void {
  histogram.fill(0);
  const { codes, values } = channel;
  for (let i = 0; i < codes.length; i++) histogram[codes[i]!]! += counts[i]! * values[i]!;
}

/** Rows summed per block before the total, as the metrics sum (see SUM_MASK). */
const BLOCK = 4096;

/**
 * Σ counts[i]·values[i] of every array into totals, in blocks of 4096 rows, up to four arrays per
 * pass over the counts (the passes are memory-bound).
 */
function weightedSums(
  arrays: readonly Float64Array[],
  counts: Uint8Array,
  totals: Float64Array,
): void {
  totals.fill(0);
  const n = counts.length;
  for (let k = 0; k < arrays.length; k += 4) {
    const a = arrays[k]!;
    const b = arrays[k + 1] ?? a;
    const c = arrays[k + 2] ?? a;
    const d = arrays[k + 3] ?? a;
    let ta = 0;
    let tb = 0;
    let tc = 0;
    let td = 0;
    for (let start = 0; start < n; start += BLOCK) {
      const end = Math.min(n, start + BLOCK);
      let sa = 0;
      let sb = 0;
      let sc = 0;
      let sd = 0;
      for (let i = start; i < end; i++) {
        const w = counts[i]!;
        sa += w * a[i]!;
        sb += w * b[i]!;
        sc += w * c[i]!;
        sd += w * d[i]!;
      }
      ta += sa;
      tb += sb;
      tc += sc;
      td += sd;
    }
    const found = [ta, tb, tc, td];
    for (let j = 0; j < 4 && k + j < arrays.length; j++) totals[k + j] = found[j]!;
  }
}

/** A statistic's values on the whole sample (every row weight 1): its point estimates. */
export function pointValues(rows: number, statistic: WeightedStatistic): Float64Array {
  const ones = new Uint8Array(rows).fill(1);
  const histograms = statistic.channels.map((c) => {
    const histogram = new Float64Array(c.size);
    fillHistogram(histogram, c.codes, ones);
    return histogram;
  });
  for (const channel of statistic.weightedChannels ?? []) {
    const histogram = new Float64Array(channel.size);
    fillWeighted(histogram, channel, ones);
    histograms.push(histogram);
  }
  const sums = new Float64Array(statistic.sums.length);
  weightedSums(statistic.sums, ones, sums);
  const out = new Float64Array(statistic.keys.length);
  statistic.compute(histograms, sums, rows, out);
  return out;
}
