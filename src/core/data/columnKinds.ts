import type { ColumnType, DataContract } from '../config/dataContract.js';
import { rawReader, readSafely, type DataSource } from './dataSource.js';
import { ident, type Database } from './duckdb.js';

/** How profiles and drift treat a column: numbers, categories, or times (profiled, not tested). */
export type ColumnKind = 'numeric' | 'categorical' | 'datetime';

export interface ColumnKindInfo {
  kind: ColumnKind;
  /** The contract's type when a contract is given, else null. */
  declared: ColumnType | null;
  /**
   * A text column neither the contract nor the file types: read as categories until its values
   * decide (readDistributions decides from the same scan that counts them).
   */
  undecided?: boolean;
}

export const NUMERIC_DUCKDB =
  /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL.*)$/i;
const TEMPORAL_DUCKDB = /^(DATE|TIMESTAMP.*|TIME.*)$/i;

/**
 * Each column's kind as far as the contract and the file's types tell, without reading values:
 * the contract decides when it names the column, else a typed file's type; a text column is left
 * `undecided` (categorical until its values say otherwise).
 */
export function declaredKinds(
  source: DataSource,
  contract: DataContract | undefined,
): ColumnKindInfo[] {
  return source.columns.map((column): ColumnKindInfo => {
    const declared = contract?.columns[column]?.type;
    if (declared) {
      const kind =
        declared === 'integer' || declared === 'number'
          ? 'numeric'
          : declared === 'timestamp'
            ? 'datetime'
            : 'categorical';
      return { kind, declared };
    }
    const type = source.types[column] ?? 'VARCHAR';
    if (NUMERIC_DUCKDB.test(type)) return { kind: 'numeric', declared: null };
    if (TEMPORAL_DUCKDB.test(type)) return { kind: 'datetime', declared: null };
    if (type.toUpperCase() === 'VARCHAR')
      return { kind: 'categorical', declared: null, undecided: true };
    return { kind: 'categorical', declared: null };
  });
}

/**
 * Each column's kind, decided: an undecided text column is numeric when every non-null value
 * parses as a number, a time when every one parses as a date or timestamp, else categorical. For
 * a columnar file, where a query reads only the columns it names; a text file decides in the scan
 * that counts its values (readDistributions).
 */
export async function columnKinds(
  db: Database,
  source: DataSource,
  contract: DataContract | undefined,
): Promise<ColumnKindInfo[]> {
  return decideKinds(db, source, declaredKinds(source, contract));
}

/**
 * `kinds` with every undecided column decided by casting its values (see columnKinds): kinds[i] is
 * the kind of column names[i], the source's columns unless named.
 */
export async function decideKinds(
  db: Database,
  source: DataSource,
  kinds: readonly ColumnKindInfo[],
  names: readonly string[] = source.columns,
): Promise<ColumnKindInfo[]> {
  const decided = kinds.map((info): ColumnKindInfo => ({
    kind: info.kind,
    declared: info.declared,
  }));
  const undecided = kinds.flatMap((info, i) => (info.undecided ? [i] : []));
  if (undecided.length === 0) return decided;
  // Casting every value (to TIMESTAMP above all) is slow: the first rows rule most columns out,
  // and the candidates left get the full check of the one type their first rows fit.
  const sample = await kindChecks(
    db,
    source,
    names,
    undecided.map((i) => ({ i, casts: ['DOUBLE', 'TIMESTAMP'] })),
    'LIMIT 2048',
  );
  const candidates = undecided.flatMap((i): KindCheck[] =>
    sample[`DOUBLE${i}`] !== false
      ? [{ i, casts: ['DOUBLE'] }]
      : sample[`TIMESTAMP${i}`] !== false
        ? [{ i, casts: ['TIMESTAMP'] }]
        : [],
  );
  const full = candidates.length ? await kindChecks(db, source, names, candidates, '') : {};
  for (const { i } of candidates) {
    if (full[`DOUBLE${i}`] === true) decided[i] = { kind: 'numeric', declared: null };
    else if (full[`TIMESTAMP${i}`] === true) decided[i] = { kind: 'datetime', declared: null };
  }
  return decided;
}

/** Column `i` (of the names) and the types to try casting its values to. */
interface KindCheck {
  i: number;
  casts: ('DOUBLE' | 'TIMESTAMP')[];
}

/** Per column and cast: whether every non-null value casts (null: the column has no values). */
async function kindChecks(
  db: Database,
  source: DataSource,
  names: readonly string[],
  columns: KindCheck[],
  limit: string,
): Promise<Record<string, boolean | null>> {
  const checks = columns.flatMap(({ i, casts }, k) =>
    casts.map(
      (cast) =>
        `CASE WHEN count(c${k}) = 0 THEN NULL ELSE count(c${k}) = count(TRY_CAST(c${k} AS ${cast})) END AS ${cast}${i}`,
    ),
  );
  const select = columns.map(({ i }, k) => `${ident(names[i]!)} AS c${k}`);
  const [row] = await readSafely<Record<string, boolean | null>>(
    db,
    source,
    `SELECT ${checks.join(', ')} FROM (SELECT ${select.join(', ')} FROM ${rawReader(source)} ${limit})`,
  );
  return row ?? {};
}

/** SQL for a column's value as its kind reads it (see `readDistributions`). */
export function kindExpr(column: string, kind: ColumnKind, duckdbType: string | undefined): string {
  const raw = ident(column);
  if (kind === 'numeric') {
    const x =
      duckdbType && NUMERIC_DUCKDB.test(duckdbType)
        ? `CAST(${raw} AS DOUBLE)`
        : `TRY_CAST(${raw} AS DOUBLE)`;
    // NULL stays NULL (missing); a value that is not a finite number becomes NaN (invalid).
    return `CASE WHEN ${raw} IS NULL THEN NULL WHEN isfinite(${x}) THEN ${x} ELSE 'NaN'::DOUBLE END`;
  }
  if (kind === 'datetime') return `TRY_CAST(${raw} AS TIMESTAMP)`;
  return `CAST(${raw} AS VARCHAR)`;
}
