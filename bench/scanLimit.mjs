// The limit of the data benches: bench/duckdbScan.mjs on the files, in a process of its own.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** DuckDB's bare scan of `files`: { files: [{ file, rows, scan_s }], scan_s } (median of `runs`). */
export function scanOf(files, runs) {
  process.stdout.write(
    `DuckDB bare scan of ${files.map((f) => f.replace(ROOT, '')).join(', ')} ... `,
  );
  const result = spawnSync(
    process.execPath,
    ['bench/duckdbScan.mjs', ...files, '--runs', String(runs)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  if (result.status !== 0) {
    console.error(`\nbench: the DuckDB scan failed:\n${result.stderr}`);
    process.exit(2);
  }
  const parsed = JSON.parse(result.stdout.trim().split('\n').pop());
  console.log(`${parsed.scan_s} s`);
  return parsed;
}
