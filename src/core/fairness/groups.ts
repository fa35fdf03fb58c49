import { ModelshipError } from '../errors.js';

/** Each row's group as an index into `names` (first-seen order). */
export interface GroupIds {
  names: string[];
  ids: Int32Array;
}

/** Checks that a fairness input's arrays are as long as the group column and not empty. */
export function checkRows(groupValues: readonly string[], ...arrays: { length: number }[]): number {
  const n = groupValues.length;
  if (arrays.some((a) => a.length !== n)) {
    const lengths = [n, ...arrays.map((a) => a.length)].join(' vs ');
    throw new ModelshipError(`fairness: inputs differ in length (${lengths})`);
  }
  if (n === 0) throw new ModelshipError('fairness: no rows to evaluate');
  return n;
}

/** Numbers the distinct values of a group column; runs of one value (sorted data) are cheap. */
export function groupIds(groupValues: readonly string[]): GroupIds {
  const index = new Map<string, number>();
  const ids = new Int32Array(groupValues.length);
  let last: string | undefined;
  let lastGroup = 0;
  for (let i = 0; i < groupValues.length; i++) {
    const value = groupValues[i]!;
    if (value !== last) {
      let group = index.get(value);
      if (group === undefined) {
        group = index.size;
        index.set(value, group);
      }
      last = value;
      lastGroup = group;
    }
    ids[i] = lastGroup;
  }
  return { names: [...index.keys()], ids };
}

/** Group names sorted by value (code units), with their first-seen index. */
export function sortedGroups(names: readonly string[]): [string, number][] {
  return names
    .map((name, id): [string, number] => [name, id])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Between-group spread of a non-negative metric: max − min, and min / max (null for 0/0). */
export function spread(values: readonly number[]): { difference: number; ratio: number | null } {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (value < low) low = value;
    if (value > high) high = value;
  }
  // The metrics are ≥ 0, so a zero maximum means every group is 0: the ratio is 0/0.
  return { difference: high - low, ratio: high === 0 ? null : low / high };
}

/**
 * The groups the disparities read: those with at least `minGroupSize` rows. `gated` is null when
 * small groups were left out and fewer than two remain, so no between-group spread is defined;
 * with none left out, one group alone spreads as Fairlearn's does (difference 0, ratio 1).
 */
export function splitBySize<T extends { count: number }>(
  groups: readonly [string, T][],
  minGroupSize: number,
): { gated: T[] | null; small: string[] } {
  const small = groups.filter(([, g]) => g.count < minGroupSize).map(([name]) => name);
  const gated = groups.filter(([, g]) => g.count >= minGroupSize).map(([, g]) => g);
  return { gated: small.length > 0 && gated.length < 2 ? null : gated, small };
}
