import type { Feature } from '../config/modelshipConfig.js';
import { ModelshipError } from '../errors.js';

/** How `buildFeatureMatrix` treats values the features do not describe. */
export interface FeatureMatrixOptions {
  /** A one_hot value outside its categories, or a value missing from a map (default 'error'). */
  unknownCategory?: 'error' | 'zeros';
  /**
   * A null, undefined, blank or NaN value (default 'error'); a number fills numeric and map
   * inputs with it, and leaves every one_hot input of the row at 0.
   */
  missing?: 'error' | number;
  /** Added to 1-based row numbers in messages (rows before this batch). */
  rowOffset?: number;
  /** Names the data in messages, e.g. the file name. */
  source?: string;
}

/** The name of each model input, in order: a column, `column=value` per category, a mapped column. */
export function featureNames(features: readonly Feature[]): string[] {
  return features.flatMap((f) => {
    if (typeof f === 'string') return [f];
    if (f.one_hot) return f.one_hot.map((c) => `${f.column}=${String(c)}`);
    return [f.column];
  });
}

/** How many floats one row becomes (F in the model input [batch, F]). */
export function featureWidth(features: readonly Feature[]): number {
  return features.reduce(
    (n, f) => n + (typeof f !== 'string' && f.one_hot ? f.one_hot.length : 1),
    0,
  );
}

/** The distinct data columns the features read, in first-use order. */
export function featureColumns(features: readonly Feature[]): string[] {
  return [...new Set(features.map((f) => (typeof f === 'string' ? f : f.column)))];
}

/**
 * Turns columns of values into the model input: `rowCount` × width float32, row-major. Numbers,
 * bigints, booleans and numeric strings (CSV text) are numeric; one_hot and map match a value's
 * string form, so the number 1 matches category "1".
 */
export function buildFeatureMatrix(
  columns: Readonly<Record<string, ArrayLike<unknown>>>,
  rowCount: number,
  features: readonly Feature[],
  options: FeatureMatrixOptions = {},
): Float32Array {
  const width = featureWidth(features);
  const matrix = new Float32Array(rowCount * width);
  const context = new Context(options);
  let offset = 0;
  for (const feature of features) {
    const name = typeof feature === 'string' ? feature : feature.column;
    const values = columns[name];
    if (values === undefined) {
      const known = Object.keys(columns);
      throw new ModelshipError(
        `${context.source}: has no column ${name}, which modelship.yml features use; the columns are ${known.length ? known.join(', ') : '(none)'}.`,
      );
    }
    if (values.length < rowCount) {
      throw new ModelshipError(
        `${context.source}: column ${name} has ${values.length} values, but ${rowCount} rows were expected.`,
      );
    }
    if (typeof feature === 'string')
      fillNumeric(matrix, width, offset, values, rowCount, name, context);
    else if (feature.one_hot)
      fillOneHot(matrix, width, offset, values, rowCount, name, feature.one_hot, context);
    else fillMap(matrix, width, offset, values, rowCount, name, feature.map ?? {}, context);
    offset += typeof feature !== 'string' && feature.one_hot ? feature.one_hot.length : 1;
  }
  return matrix;
}

/** Distinct raw values remembered per categorical column: enough for any real category list. */
const SEEN_LIMIT = 4096;

class Context {
  readonly source: string;
  readonly unknownZeros: boolean;
  readonly fill: number | undefined;
  private readonly rowOffset: number;

  constructor(options: FeatureMatrixOptions) {
    this.source = options.source ?? 'data';
    this.unknownZeros = options.unknownCategory === 'zeros';
    this.fill = typeof options.missing === 'number' ? options.missing : undefined;
    this.rowOffset = options.rowOffset ?? 0;
  }

  at(row: number): string {
    return `${this.source} row ${row + 1 + this.rowOffset}`;
  }

  missing(row: number, column: string): ModelshipError {
    return new ModelshipError(
      `${this.at(row)}: ${column} is missing; fill it in the data, or set missing values to a number.`,
    );
  }
}

/** A number, NaN for a missing value, or undefined for a value that is not numeric. */
function numberOf(value: unknown): number | undefined {
  switch (typeof value) {
    case 'number':
      return value;
    case 'string': {
      // Number('') and Number('  ') are 0: a blank CSV field is missing, not zero.
      if (value.trim() === '') return NaN;
      const n = Number(value);
      return Number.isNaN(n) && !/^\s*[+-]?nan\s*$/i.test(value) ? undefined : n;
    }
    case 'bigint':
      return Number(value);
    case 'boolean':
      return value ? 1 : 0;
    default:
      return value === null || value === undefined ? NaN : undefined;
  }
}

function fillNumeric(
  matrix: Float32Array,
  width: number,
  offset: number,
  values: ArrayLike<unknown>,
  rowCount: number,
  column: string,
  context: Context,
): void {
  for (let row = 0, i = offset; row < rowCount; row++, i += width) {
    const value = values[row];
    let n = typeof value === 'number' ? value : numberOf(value);
    if (n === undefined) {
      throw notNumericError(context.at(row), column, value);
    }
    if (Number.isNaN(n)) {
      if (context.fill === undefined) throw context.missing(row, column);
      n = context.fill;
    }
    matrix[i] = n;
  }
}

function fillOneHot(
  matrix: Float32Array,
  width: number,
  offset: number,
  values: ArrayLike<unknown>,
  rowCount: number,
  column: string,
  categories: readonly unknown[],
  context: Context,
): void {
  const byString = new Map<string, number>();
  categories.forEach((c, k) => {
    if (!byString.has(String(c))) byString.set(String(c), k);
  });
  // Raw values seen so far → category index (−1: unknown), so repeated values skip String().
  const seen = new Map<unknown, number>();
  for (let row = 0, i = offset; row < rowCount; row++, i += width) {
    const value = values[row];
    let k = seen.get(value);
    if (k === undefined) {
      if (isMissing(value)) {
        if (context.fill === undefined) throw context.missing(row, column);
        continue;
      }
      k = byString.get(String(value)) ?? -1;
      if (seen.size < SEEN_LIMIT) seen.set(value, k);
    }
    if (k >= 0) matrix[i + k] = 1;
    else if (!context.unknownZeros) {
      throw new ModelshipError(
        `${context.at(row)}: ${column} ${JSON.stringify(displayOf(value))} is not one of the ${categories.length} one_hot categories in modelship.yml (${categories.map(String).join(', ')}); add it to the list or set unknown categories to zeros.`,
      );
    }
  }
}

function fillMap(
  matrix: Float32Array,
  width: number,
  offset: number,
  values: ArrayLike<unknown>,
  rowCount: number,
  column: string,
  mapping: Readonly<Record<string, number>>,
  context: Context,
): void {
  const byString = new Map(Object.entries(mapping));
  const seen = new Map<unknown, number | null>();
  for (let row = 0, i = offset; row < rowCount; row++, i += width) {
    const value = values[row];
    let n = seen.get(value);
    if (n === undefined) {
      if (isMissing(value)) {
        if (context.fill === undefined) throw context.missing(row, column);
        matrix[i] = context.fill;
        continue;
      }
      n = byString.get(String(value)) ?? null;
      if (seen.size < SEEN_LIMIT) seen.set(value, n);
    }
    if (n !== null) matrix[i] = n;
    else if (!context.unknownZeros) {
      throw new ModelshipError(
        `${context.at(row)}: ${column} ${JSON.stringify(displayOf(value))} is not a key of its map in modelship.yml (${[...byString.keys()].join(', ')}); add it to the map or set unknown categories to zeros.`,
      );
    }
  }
}

/** `<source> row <n>: <column> "<value>" is not a number; …`, shared with the SQL reader. */
export function notNumericError(where: string, column: string, value: unknown): ModelshipError {
  return new ModelshipError(
    `${where}: ${column} ${JSON.stringify(displayOf(value))} is not a number; fix the value, or encode the column with one_hot or map in modelship.yml.`,
  );
}

function isMissing(value: unknown): boolean {
  return (
    value === null ||
    value === undefined ||
    (typeof value === 'number' && Number.isNaN(value)) ||
    (typeof value === 'string' && value.trim() === '')
  );
}

function displayOf(value: unknown): unknown {
  return typeof value === 'bigint' ? String(value) : value;
}
