// The limit validation and drift are measured against: DuckDB reading the same files as text,
// every column of every row, and checking nothing. Prints one JSON line: the scan's seconds (the
// median of --runs) and its rows.
//
//   node bench/duckdbScan.mjs <file>... [--runs K] [--threads N]
//
// The dialect is the one Modelship's reader uses for text (lib/core/data/dataSource.js): header,
// every column VARCHAR, strict quoting. count(column) of every column makes DuckDB parse each
// value; a bare count(*) would let it skip them. Parquet answers counts from its metadata, so
// there every value is hashed instead (bit_xor(hash(column))), which makes DuckDB decode it.
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
let runs = 3;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else files.push(args[i]);
}
const instance = await DuckDBInstance.create(':memory:', { preserve_insertion_order: 'true' });
const db = await instance.connect();
const result = { files: [], runs };
for (const file of files) {
  const parquet = file.endsWith('.parquet');
  const reader = parquet
    ? `read_parquet('${file}')`
    : `read_csv('${file}', header = true, all_varchar = true, quote = '"', escape = '"', strict_mode = true, null_padding = false)`;
  const columns = (
    await (await db.runAndReadAll(`DESCRIBE SELECT * FROM ${reader}`)).getRowObjectsJS()
  ).map((row) => {
    const column = `"${String(row.column_name).replaceAll('"', '""')}"`;
    return parquet ? `bit_xor(hash(${column}))` : `count(${column})`;
  });
  const times = [];
  let rows = 0;
  for (let run = 0; run < runs; run++) {
    const started = process.hrtime.bigint();
    const read = await db.runAndReadAll(
      `SELECT count(*) AS n, ${columns.join(', ')} FROM ${reader}`,
    );
    times.push(Number(process.hrtime.bigint() - started) / 1e9);
    rows = Number(read.getRowObjectsJS()[0].n);
  }
  times.sort((a, b) => a - b);
  result.files.push({
    file,
    rows,
    scan_s: Math.round(times[Math.floor(times.length / 2)] * 1000) / 1000,
  });
}
result.scan_s = Math.round(result.files.reduce((sum, f) => sum + f.scan_s, 0) * 1000) / 1000;
console.log(JSON.stringify(result));
