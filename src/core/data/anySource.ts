import { ModelshipError } from '../errors.js';
import { formatOf, SUPPORTED_EXTENSIONS } from './dataFormat.js';
import { openDataSource, readSafely, type DataSource, type OpenOptions } from './dataSource.js';
import { literal, type Database } from './duckdb.js';

/** http(s), S3, GCS and Azure URLs: DuckDB reads them itself (httpfs), so no local checks apply. */
const REMOTE = /^(https?|s3|gcs|gs|az|azure|abfss|hf):\/\//i;

/** Opens a local path or glob (openDataSource), or a URL that DuckDB reads directly. */
export async function openAnySource(
  db: Database,
  path: string,
  options: OpenOptions = {},
): Promise<DataSource> {
  if (!REMOTE.test(path)) return openDataSource(db, path, options);
  const format = formatOf(path.replace(/[?#].*$/, ''));
  if (!format)
    throw new ModelshipError(
      `${path}: unknown data file extension; expected ${SUPPORTED_EXTENSIONS}.`,
    );
  const source: DataSource = { display: path, files: [path], format, columns: [], types: {} };
  const reader =
    format === 'parquet'
      ? `read_parquet(${literal(path)})`
      : format === 'jsonl'
        ? `read_json(${literal(path)}, format = 'newline_delimited')`
        : `read_csv(${literal(path)}, header = true, all_varchar = true${format === 'tsv' ? `, delim = '\t'` : ''})`;
  const described = await readSafely(db, source, `DESCRIBE SELECT * FROM ${reader}`);
  source.columns = described.map((row) => String(row.column_name));
  source.types = Object.fromEntries(
    described.map((row) => [String(row.column_name), String(row.column_type)]),
  );
  if (format === 'csv' || format === 'tsv') source.delimiter = format === 'tsv' ? '\t' : ',';
  return source;
}
