import type { SliceResult } from '../gate/sliceGate.js';
import { metricDirection } from '../gate/metricDirection.js';

export { sliceName, type SliceResult } from '../gate/sliceGate.js';

/** Metric values of one slice; null where a metric is undefined there (e.g. one class only). */
type MetricValues = Record<string, number | null>;

/** The crosses `slices.by` names: a column alone, or a list of columns. */
export function sliceCrosses(by: readonly (string | readonly string[])[]): string[][] {
  return by.map((cross) => (typeof cross === 'string' ? [cross] : [...cross]));
}

/** Every column the slices read, once. */
export function sliceColumns(by: readonly (string | readonly string[])[]): string[] {
  return [...new Set(sliceCrosses(by).flat())];
}

/** One slice's columns, values and holdout rows (indices, ascending). */
export interface SliceRows {
  columns: string[];
  values: string[];
  rows: Int32Array;
}

/** The rows of every slice of every cross: cross by cross, each cross's in the order of its values. */
export function sliceRows(
  extras: Readonly<Record<string, readonly string[]>>,
  crosses: readonly (readonly string[])[],
): SliceRows[] {
  const out: SliceRows[] = [];
  for (const columns of crosses) {
    const cells = columns.map((c) => extras[c] ?? []);
    const rowCount = cells[0]?.length ?? 0;
    // A NUL cannot occur in a CSV or Parquet text read as a value: it separates the columns' values.
    const members = new Map<string, number[]>();
    for (let i = 0; i < rowCount; i++) {
      const key = cells.map((values) => values[i]!).join('\0');
      let rows = members.get(key);
      if (!rows) members.set(key, (rows = []));
      rows.push(i);
    }
    const keys = [...members.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys)
      out.push({
        columns: [...columns],
        values: key.split('\0'),
        rows: Int32Array.from(members.get(key)!),
      });
  }
  return out;
}

/** The metrics of every slice of every cross: `metricsOf` gets the rows of one slice. */
export function computeSlices(
  extras: Readonly<Record<string, readonly string[]>>,
  crosses: readonly (readonly string[])[],
  minCount: number,
  metricsOf: (rows: Int32Array) => MetricValues,
): SliceResult[] {
  return sliceRows(extras, crosses).map(({ columns, values, rows }) => ({
    columns,
    values,
    count: rows.length,
    metrics: metricsOf(rows),
    gated: rows.length >= minCount,
  }));
}

/** The rows `rows` of a column of values. */
export function pick<T extends Float64Array | Uint8Array | Int32Array>(
  values: T,
  rows: Int32Array,
): T {
  const out = new (values.constructor as new (n: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}

/** The rows `rows` of a row-major matrix with `width` columns. */
export function pickRows(values: Float64Array, width: number, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++)
    out.set(values.subarray(rows[i]! * width, rows[i]! * width + width), i * width);
  return out;
}

/**
 * Slices worst first by `metric` in its direction (null values last), gated slices before those
 * too small to gate; ties keep their order.
 */
export function worstFirst(slices: readonly SliceResult[], metric: string): SliceResult[] {
  const higher = metricDirection(metric) !== 'lower';
  const badness = (s: SliceResult): number => {
    const value = s.metrics[metric];
    if (value === null || value === undefined) return -Infinity;
    return higher ? -value : value;
  };
  return [...slices].sort((a, b) => {
    const x = badness(a);
    const y = badness(b);
    return Number(b.gated) - Number(a.gated) || (x === y ? 0 : y > x ? 1 : -1);
  });
}
