import { ModelshipError } from '../errors.js';
import { isTextFeature, type ResolvedFeature } from './modelFeatures.js';
import type { TextCodes } from './textCodes.js';

/** Where `buildFeatureMatrix`'s messages say the values came from. */
export interface FeatureMatrixOptions {
  /** Added to 1-based row numbers in messages (rows before this batch). */
  rowOffset?: number;
  /** Names the data in messages, e.g. the file name. */
  source?: string;
  /** Where text features (string inputs) keep their values; the matrix holds their codes. */
  text?: TextCodes;
}

/**
 * One feature as the matrix builder reads it, its defaults filled in. `missing` is for a null,
 * undefined, blank or NaN value, `unknown` for a value outside one_hot or map; `error` stops with
 * the row, `zeros` leaves every input of the feature at 0, a number is the input.
 */
export type FeatureSpec =
  | { kind: 'numeric'; column: string; missing: 'error' | number }
  | { kind: 'text'; column: string; missing: 'error' | string }
  | {
      kind: 'one_hot';
      column: string;
      categories: readonly unknown[];
      missing: 'error' | 'zeros';
      unknown: 'error' | 'zeros';
    }
  | {
      kind: 'map';
      column: string;
      mapping: Readonly<Record<string, number>>;
      missing: 'error' | number;
      unknown: 'error' | number;
    };

/** A feature's kind, column, encoding and settings; modelship.yml's validation rules out the rest. */
export function featureSpec(feature: ResolvedFeature): FeatureSpec {
  if (typeof feature === 'string') return { kind: 'numeric', column: feature, missing: 'error' };
  if (isTextFeature(feature)) {
    const { column, missing = 'error' } = feature;
    return {
      kind: 'text',
      column,
      missing: typeof missing === 'number' ? String(missing) : missing,
    };
  }
  const { column, missing = 'error', unknown = 'error' } = feature;
  // loadConfig refuses these; a caller passing features of its own is told the same.
  const invalid = (key: string, value: unknown, takes: string) =>
    new ModelshipError(
      `modelship.yml feature ${column}: ${key}: ${JSON.stringify(value)} does not fit its encoding; it takes ${takes}.`,
    );
  if (feature.one_hot) {
    if (missing !== 'zeros' && missing !== 'error')
      throw invalid('missing', missing, 'zeros or error');
    if (typeof unknown === 'number') throw invalid('unknown', unknown, 'zeros or error');
    return { kind: 'one_hot', column, categories: feature.one_hot, missing, unknown };
  }
  if (missing === 'zeros') throw invalid('missing', missing, 'a number or error');
  // A text fills a string input only: this column feeds a number.
  if (typeof missing === 'string' && missing !== 'error') {
    throw new ModelshipError(
      `modelship.yml feature ${column}: missing: ${JSON.stringify(missing)} is text, but ${column} is a numeric input; set missing to a number or error.`,
    );
  }
  if (feature.map) {
    if (unknown === 'zeros') throw invalid('unknown', unknown, 'a number or error');
    return { kind: 'map', column, mapping: feature.map, missing, unknown };
  }
  if (feature.unknown !== undefined)
    throw invalid('unknown', unknown, 'no unknown setting without one_hot or map');
  return { kind: 'numeric', column, missing };
}

/** How many inputs a feature makes: one per one_hot category, else one. */
function inputCount(spec: FeatureSpec): number {
  return spec.kind === 'one_hot' ? spec.categories.length : 1;
}

/** The name of each model input, in order: a column, `column=value` per category, a mapped column. */
export function featureNames(features: readonly ResolvedFeature[]): string[] {
  return features.map(featureSpec).flatMap((spec) => {
    if (spec.kind === 'one_hot') return spec.categories.map((c) => `${spec.column}=${String(c)}`);
    return [spec.column];
  });
}

/** How many floats one row becomes (F in the model input [batch, F]). */
export function featureWidth(features: readonly ResolvedFeature[]): number {
  return features.reduce((n, f) => n + inputCount(featureSpec(f)), 0);
}

/** The distinct data columns the features read, in first-use order. */
export function featureColumns(features: readonly ResolvedFeature[]): string[] {
  return [...new Set(features.map((f) => featureSpec(f).column))];
}

/** Where one feature's inputs go: every `width` floats from `offset`, one row after another. */
interface Slot {
  matrix: Float32Array;
  width: number;
  offset: number;
  rowCount: number;
}

/**
 * Turns columns of values into the model input: `rowCount` × width float32, row-major. Numbers,
 * bigints, booleans and numeric strings (CSV text) are numeric; one_hot and map match a value's
 * string form, so the number 1 matches category "1". Each feature's `missing` and `unknown`
 * settings decide what a blank value or an unlisted category becomes; evaluate, serve, drift and
 * train all build their inputs here, so they treat the same row the same way.
 */
export function buildFeatureMatrix(
  columns: Readonly<Record<string, ArrayLike<unknown>>>,
  rowCount: number,
  features: readonly ResolvedFeature[],
  options: FeatureMatrixOptions = {},
): Float32Array {
  const specs = features.map(featureSpec);
  const width = specs.reduce((n, spec) => n + inputCount(spec), 0);
  const matrix = new Float32Array(rowCount * width);
  const rows = new Rows(options);
  let offset = 0;
  for (const spec of specs) {
    const values = columns[spec.column];
    if (values === undefined) {
      const known = Object.keys(columns);
      throw new ModelshipError(
        `${rows.source}: has no column ${spec.column}, which modelship.yml features use; the columns are ${known.length ? known.join(', ') : '(none)'}.`,
      );
    }
    if (values.length < rowCount) {
      throw new ModelshipError(
        `${rows.source}: column ${spec.column} has ${values.length} values, but ${rowCount} rows were expected.`,
      );
    }
    const slot: Slot = { matrix, width, offset, rowCount };
    switch (spec.kind) {
      case 'numeric':
        fillNumeric(slot, values, spec, rows);
        break;
      case 'one_hot':
        fillOneHot(slot, values, spec, rows);
        break;
      case 'map':
        fillMap(slot, values, spec, rows);
        break;
      case 'text':
        fillText(slot, values, spec, rows, options.text);
        break;
    }
    offset += inputCount(spec);
  }
  return matrix;
}

/** Distinct raw values remembered per categorical column: enough for any real category list. */
const SEEN_LIMIT = 4096;

/** Names rows in messages: `<source> row <n>`. */
class Rows {
  readonly source: string;
  private readonly rowOffset: number;

  constructor(options: FeatureMatrixOptions) {
    this.source = options.source ?? 'data';
    this.rowOffset = options.rowOffset ?? 0;
  }

  at(row: number): string {
    return `${this.source} row ${row + 1 + this.rowOffset}`;
  }

  /** A missing value under `missing: error`, with the setting that would fill it. */
  missing(row: number, spec: FeatureSpec): ModelshipError {
    const fill = spec.kind === 'one_hot' ? 'zeros' : spec.kind === 'text' ? '<text>' : '<number>';
    return new ModelshipError(
      `${this.at(row)}: ${spec.column} is missing; fill it in the data, or set missing: ${fill} on feature ${spec.column} in modelship.yml.`,
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
  { matrix, width, offset, rowCount }: Slot,
  values: ArrayLike<unknown>,
  spec: Extract<FeatureSpec, { kind: 'numeric' }>,
  rows: Rows,
): void {
  const fill = spec.missing;
  for (let row = 0, i = offset; row < rowCount; row++, i += width) {
    const value = values[row];
    let n = typeof value === 'number' ? value : numberOf(value);
    if (n === undefined) throw notNumericError(rows.at(row), spec.column, value);
    if (Number.isNaN(n)) {
      if (fill === 'error') throw rows.missing(row, spec);
      n = fill;
    }
    matrix[i] = n;
  }
}

function fillOneHot(
  { matrix, width, offset, rowCount }: Slot,
  values: ArrayLike<unknown>,
  spec: Extract<FeatureSpec, { kind: 'one_hot' }>,
  rows: Rows,
): void {
  const { categories } = spec;
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
        // missing: zeros leaves the row's inputs at 0.
        if (spec.missing === 'error') throw rows.missing(row, spec);
        continue;
      }
      k = byString.get(String(value)) ?? -1;
      if (seen.size < SEEN_LIMIT) seen.set(value, k);
    }
    if (k >= 0) matrix[i + k] = 1;
    else if (spec.unknown === 'error') {
      throw new ModelshipError(
        `${rows.at(row)}: ${spec.column} ${JSON.stringify(displayOf(value))} is not one of the ${categories.length} one_hot categories in modelship.yml (${categories.map(String).join(', ')}); add it to the one_hot list, or set unknown: zeros on feature ${spec.column} in modelship.yml.`,
      );
    }
  }
}

function fillMap(
  { matrix, width, offset, rowCount }: Slot,
  values: ArrayLike<unknown>,
  spec: Extract<FeatureSpec, { kind: 'map' }>,
  rows: Rows,
): void {
  const byString = new Map(Object.entries(spec.mapping));
  const seen = new Map<unknown, number | null>();
  for (let row = 0, i = offset; row < rowCount; row++, i += width) {
    const value = values[row];
    let n = seen.get(value);
    if (n === undefined) {
      if (isMissing(value)) {
        if (spec.missing === 'error') throw rows.missing(row, spec);
        matrix[i] = spec.missing;
        continue;
      }
      n = byString.get(String(value)) ?? null;
      if (seen.size < SEEN_LIMIT) seen.set(value, n);
    }
    if (n !== null) matrix[i] = n;
    else if (spec.unknown !== 'error') matrix[i] = spec.unknown;
    else {
      throw new ModelshipError(
        `${rows.at(row)}: ${spec.column} ${JSON.stringify(displayOf(value))} is not a key of its map in modelship.yml (${[...byString.keys()].join(', ')}); add it to the map, or set unknown: <number> on feature ${spec.column} in modelship.yml.`,
      );
    }
  }
}

/** A string input's column: each value's text, as its code in `text`. */
function fillText(
  { matrix, width, offset, rowCount }: Slot,
  values: ArrayLike<unknown>,
  spec: Extract<FeatureSpec, { kind: 'text' }>,
  rows: Rows,
  text: TextCodes | undefined,
): void {
  if (!text) throw new Error(`buildFeatureMatrix: text feature ${spec.column} needs options.text`);
  for (let row = 0, i = offset; row < rowCount; row++, i += width) {
    const value = values[row];
    // A blank is missing, as for every other feature; other text is fed exactly as it is.
    if (value === null || value === undefined || (typeof value === 'string' && value === '')) {
      if (spec.missing === 'error') throw rows.missing(row, spec);
      matrix[i] = text.code(spec.missing);
    } else matrix[i] = text.code(typeof value === 'string' ? value : String(displayOf(value)));
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
