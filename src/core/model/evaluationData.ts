import type { DuckDBDataChunk } from '@duckdb/node-api';
import { ModelshipError, messageOf } from '../errors.js';
import {
  openDataSource,
  rawReader,
  readError,
  readSafely,
  type DataSource,
} from '../data/dataSource.js';
import { ident, withDatabase, type Database } from '../data/duckdb.js';
import {
  buildFeatureMatrix,
  featureColumns,
  featureSpec,
  featureWidth,
  notNumericError,
} from './featureMatrix.js';
import type { ResolvedFeature } from './modelFeatures.js';
import { queryChunks, type ChunkedResult } from './queryChunks.js';
import { TextCodes } from './textCodes.js';

export interface EvaluationDataOptions {
  features: readonly ResolvedFeature[];
  /** The label column; left out (scoring unlabelled data), `target` comes back empty. */
  target?: string;
  /** Columns kept as text beside the matrix (sensitive attributes, ids). */
  extraColumns?: readonly string[];
}

/** Holdout rows in file order: the model input, the labels and the extra columns. */
export interface EvaluationData {
  rows: number;
  /** rows × featureWidth(features) float32, row-major. */
  matrix: Float32Array;
  /** The label's string form per row (none without a target column). */
  target: string[];
  /** Each extra column's string form per row; null reads '(missing)'. */
  extras: Record<string, string[]>;
  /** The text the matrix's codes stand for (features of string model inputs). */
  strings: string[];
}

/** Shown for a null value of an extra column. */
export const MISSING_VALUE = '(missing)';

const NUMERIC_TYPES =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*|BOOLEAN)$/;
// DuckDB types whose JavaScript values have the string form users write in modelship.yml.
const PLAIN_TYPES =
  /^(VARCHAR|BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE)$/;

/** Reads the columns evaluation needs from a data file (or glob) with DuckDB, in file order. */
export async function loadEvaluationData(
  dataPath: string,
  options: EvaluationDataOptions,
): Promise<EvaluationData> {
  return withDatabase(async (db) => {
    const source = await openDataSource(db, dataPath);
    return readEvaluationData(db, source, options);
  });
}

/** One query column: the SQL that selects it and how the chunks are read. */
interface Selected {
  column: string;
  sql: string;
  /** A plain numeric feature: DOUBLE, NaN where text is not a number (text types only). */
  numeric?: { text: boolean };
}

async function readEvaluationData(
  db: Database,
  source: DataSource,
  options: EvaluationDataOptions,
): Promise<EvaluationData> {
  const extras = [...new Set(options.extraColumns ?? [])];
  const featureCols = featureColumns(options.features);
  const labels = options.target === undefined ? [] : [options.target];
  const needed = [...new Set([...featureCols, ...labels, ...extras])];
  const missing = needed.filter((c) => !source.columns.includes(c));
  if (missing.length) {
    const one = missing.length === 1;
    throw new ModelshipError(
      `${source.display}: ${one ? 'column' : 'columns'} ${missing.join(', ')} that the model's features or modelship.yml's target, fairness or slices read ${one ? 'is' : 'are'} missing; the file has ${source.columns.join(', ')}.`,
    );
  }
  // Plain numeric features become DOUBLE in SQL; what one_hot, map, target and extras read stays
  // as it is, so that buildFeatureMatrix compares the same string forms a server would.
  const categorical = new Set(
    options.features.map(featureSpec).flatMap((f) => (f.kind === 'numeric' ? [] : [f.column])),
  );
  const type = (c: string) => source.types[c] ?? 'VARCHAR';
  const selected: Selected[] = [
    ...featureCols.map((c) =>
      categorical.has(c) ? plain(c, type(c)) : numericColumn(c, !NUMERIC_TYPES.test(type(c))),
    ),
    ...labels.map((c) => plain(c, type(c))),
    ...extras.map((c) => plain(c, type(c))),
  ];
  let result: ChunkedResult;
  try {
    result = await queryChunks(
      db,
      `SELECT ${selected.map((s, i) => `${s.sql} AS c${i}`).join(', ')} FROM ${rawReader(source)}`,
    );
  } catch (error) {
    throw readError(source, messageOf(error));
  }
  const rows = result.rowCount;
  if (rows === 0) {
    throw new ModelshipError(
      `${source.display}: has no data rows; evaluation needs labelled rows (check data.eval).`,
    );
  }
  const width = featureWidth(options.features);
  const matrix = new Float32Array(rows * width);
  const target = new Array<string>(labels.length ? rows : 0);
  const extraValues = extras.map(() => new Array<string>(rows));
  const targetIndex = featureCols.length;
  const text = new TextCodes();
  let first = 0;
  for (let k = 0; k < result.chunkCount; k++) {
    const chunk = result.chunk(k);
    const n = chunk.rowCount;
    const columns: Record<string, ArrayLike<unknown>> = {};
    for (let j = 0; j < featureCols.length; j++) {
      const values = readColumn(chunk, j, n, selected[j]!);
      if (typeof values === 'number') {
        await throwNotNumeric(db, source, selected, chunk, first);
      } else columns[featureCols[j]!] = values;
    }
    const part = buildFeatureMatrix(columns, n, options.features, {
      text,
      source: source.display,
      rowOffset: first,
    });
    matrix.set(part, first * width);
    const labelVector = labels.length ? chunk.getColumnVector(targetIndex) : undefined;
    for (let i = 0; labelVector && i < n; i++) {
      const label = labelVector.getItem(i);
      if (label === null) {
        throw new ModelshipError(
          `${source.display} row ${first + i + 1}: the target ${options.target} is empty; every evaluation row needs a label.`,
        );
      }
      target[first + i] = String(label);
    }
    extraValues.forEach((out, e) => {
      const vector = chunk.getColumnVector(targetIndex + labels.length + e);
      for (let i = 0; i < n; i++) {
        const value = vector.getItem(i);
        out[first + i] = value === null ? MISSING_VALUE : String(value);
      }
    });
    first += n;
  }
  return {
    rows,
    matrix,
    target,
    extras: Object.fromEntries(extras.map((c, e) => [c, extraValues[e]!])),
    strings: text.values,
  };
}

function plain(column: string, type: string): Selected {
  const sql = PLAIN_TYPES.test(type)
    ? ident(column)
    : type.startsWith('DECIMAL')
      ? `CAST(${ident(column)} AS DOUBLE)`
      : `CAST(${ident(column)} AS VARCHAR)`;
  return { column, sql };
}

function numericColumn(column: string, text: boolean): Selected {
  const c = ident(column);
  // Text that is not a number becomes NaN, which null (missing) cannot be mistaken for.
  const sql = text
    ? `CASE WHEN ${c} IS NULL THEN NULL ELSE coalesce(TRY_CAST(${c} AS DOUBLE), 'NaN'::DOUBLE) END`
    : `CAST(${c} AS DOUBLE)`;
  return { column, sql, numeric: { text } };
}

/**
 * A chunk's column as the matrix builder takes it: numbers (NaN for null) for numeric features,
 * JavaScript values otherwise; or the first row holding text that is not a number.
 */
function readColumn(
  chunk: DuckDBDataChunk,
  index: number,
  n: number,
  selected: Selected,
): ArrayLike<unknown> | number {
  const vector = chunk.getColumnVector(index);
  if (!selected.numeric) {
    const values = new Array<unknown>(n);
    for (let i = 0; i < n; i++) values[i] = vector.getItem(i);
    return values;
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const value = vector.getItem(i) as number | null;
    if (value === null) values[i] = NaN;
    else if (Number.isNaN(value) && selected.numeric.text) return i;
    else values[i] = value;
  }
  return values;
}

/** Finds the first non-numeric text of the chunk (any column) and reports it with its row. */
async function throwNotNumeric(
  db: Database,
  source: DataSource,
  selected: Selected[],
  chunk: DuckDBDataChunk,
  first: number,
): Promise<never> {
  let best: { row: number; column: string } | undefined;
  selected.forEach((s, j) => {
    if (!s.numeric?.text) return;
    const at = readColumn(chunk, j, chunk.rowCount, s);
    if (typeof at === 'number' && (!best || at < best.row)) best = { row: at, column: s.column };
  });
  const { row, column } = best!;
  // Only now, a second query for the text itself: the file read again, stopping at that row.
  const [found] = await readSafely<{ value: string }>(
    db,
    source,
    `SELECT CAST(${ident(column)} AS VARCHAR) AS value FROM ${rawReader(source)} LIMIT 1 OFFSET ${first + row}`,
  );
  throw notNumericError(`${source.display} row ${first + row + 1}`, column, found?.value);
}
