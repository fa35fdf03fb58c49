import type { ColumnContract } from '../../src/core/config/dataContract.js';

/**
 * A plain-JavaScript statement of the data contract's value checks, written from docs/data-contracts.md
 * for the values the tests generate: the validator's SQL counts are compared with these.
 */
export interface ExpectedCheck {
  column: string;
  check: 'nullable' | 'type' | 'min' | 'max' | 'in' | 'pattern' | 'unique';
  /** 1-based data rows that fail, in file order. */
  rows: number[];
  /** The raw value of each failing row (null when empty). */
  values: (string | null)[];
  /** What the percentage is of: all rows for `nullable`, non-null values otherwise. */
  of: number;
}

const BOOLEAN_WORDS = ['true', 'false', 't', 'f', 'yes', 'no', 'y', 'n', '1', '0'];

/** Whether a non-empty text value is of a contract type. */
export function isOfType(type: ColumnContract['type'], value: string): boolean {
  switch (type) {
    case 'string':
      return true;
    case 'integer':
      return /^\s*[+-]?[0-9]+\s*$/.test(value);
    case 'number':
      return /^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$/.test(value);
    case 'boolean':
      return BOOLEAN_WORDS.includes(value.trim().toLowerCase());
    case 'timestamp':
      return /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}:\d{2})?$/.test(value);
  }
}

/** Orders two values of a type (numbers numerically, timestamps as normalised ISO text). */
function compare(type: ColumnContract['type'], a: string, b: string | number): number {
  if (type === 'timestamp') {
    const norm = (v: string) => (v.length === 10 ? `${v} 00:00:00` : v.replace('T', ' '));
    const x = norm(a);
    const y = norm(String(b));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return Number(a) - Number(b);
}

/** Every failing check of one column over its raw values ('' = empty), as the contract reads. */
export function expectedChecks(
  column: string,
  contract: ColumnContract,
  raw: readonly string[],
): ExpectedCheck[] {
  const rows = raw.length;
  const nonNull = raw.filter((v) => v !== '').length;
  const found: ExpectedCheck[] = [];
  const add = (check: ExpectedCheck['check'], fails: (value: string) => boolean, of = nonNull) => {
    const failing = raw.flatMap((value, i) => (fails(value) ? [i + 1] : []));
    if (failing.length === 0) return;
    const values = failing.map((row) => (raw[row - 1] === '' ? null : raw[row - 1]!));
    found.push({ column, check, rows: failing, values, of });
  };
  const typed = (v: string) => v !== '' && isOfType(contract.type, v);
  if (!contract.nullable) add('nullable', (v) => v === '', rows);
  if (contract.type !== 'string') add('type', (v) => v !== '' && !typed(v));
  const { min, max } = contract;
  if (min !== undefined) add('min', (v) => typed(v) && compare(contract.type, v, min) < 0);
  if (max !== undefined) add('max', (v) => typed(v) && compare(contract.type, v, max) > 0);
  if (contract.in !== undefined) {
    const allowed = contract.in.map(String);
    const inSet = (v: string) =>
      contract.type === 'string'
        ? allowed.includes(v)
        : allowed.some((a) => Number(a) === Number(v));
    add('in', (v) => typed(v) && !inSet(v));
  }
  if (contract.pattern !== undefined) {
    const regex = new RegExp(contract.pattern);
    add('pattern', (v) => v !== '' && !regex.test(v));
  }
  if (contract.unique) {
    const counts = new Map<string, number>();
    for (const v of raw) if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
    add('unique', (v) => v !== '' && (counts.get(v) ?? 0) > 1);
  }
  return found;
}

/** The share of failing values in percent, unrounded. */
export function percentOf(count: number, of: number): number {
  return of === 0 ? 0 : (100 * count) / of;
}
