// The validation benchmark: times `modelship validate` on a synthetic CSV against the same checks
// written by hand in pandas (bench/validate_pandas.py), compares their counts and writes the
// figures to bench/out/validate.json.
//
//   node bench/run.mjs validate [--rows N] [--runs K] [--large M]
//     (defaults: 1000000 rows, median of 3 runs, M = 10 × N rows once; --large 0 skips it)
//
// Beside each figure, in the same run: DuckDB's bare text scan of the same file
// (bench/duckdbScan.mjs), the limit the goals are ratios to. Also timed: a second contract shape
// heavier in pattern, in, unique and timestamps; the same rows as Parquet with native types; and
// M rows (about 1.5 GB at 10M) for peak RSS and the time's slope in rows, their profile (no
// contract), and the same M rows as Parquet, whose rate at 1M rows is mostly Node's start.
//
// Needs `npm run build` first. The pandas reference runs with /usr/bin/python3 and is skipped,
// with a note, when pandas is not installed there.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clearInterval, setInterval } from 'node:timers';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import { CONTRACT, generateCsv, writeContract } from './generateCsv.mjs';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';
import { figure, figuresTable } from './figures.mjs';
import { scanOf } from './scanLimit.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const DATA = join(OUT, 'data.csv');
const DATA_META = join(OUT, 'data.meta.json');
const SCHEMA = join(OUT, 'schema.yml');
const REPORT = join(OUT, 'report.json');
const RESULT = join(OUT, 'validate.json');
const HEAVY_SCHEMA = join(OUT, 'schema-heavy.yml');
const PARQUET = join(OUT, 'data.parquet');
const PARQUET_LARGE = join(OUT, 'data-large.parquet');
const DATA_LARGE = join(OUT, 'data-large.csv');
/** The second contract shape: more patterns, `in` sets, unique columns and timestamp bounds. */
const HEAVY_CONTRACT = `columns:
  id: { type: string, unique: true, pattern: "^u[0-9]+$" }
  age: { type: integer, min: 18, max: 100 }
  tenure: { type: integer, min: 0, max: 600 }
  visits: { type: integer, min: 0 }
  items: { type: integer, min: 0, max: 1000 }
  rank: { type: integer, in: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }
  score: { type: number, min: 0, max: 1 }
  balance: { type: number, min: -10000, max: 1000000 }
  ratio: { type: number, min: 0, max: 1, nullable: true }
  latency: { type: number, min: 0 }
  weight: { type: number, min: 0, max: 500 }
  region: { type: string, in: [north, south, east, west], pattern: "^[a-z]+$" }
  plan: { type: string, in: [free, basic, pro, enterprise] }
  channel: { type: string, in: [web, store, phone, partner, app] }
  segment: { type: string, in: [a, b, c], mostly: 0.995 }
  email: { type: string, pattern: "^[a-z0-9.]+@[a-z]+[.][a-z]+$", unique: true, nullable: true }
  name: { type: string, pattern: "^Name [0-9]+$" }
  active: { type: boolean }
  created: { type: timestamp, min: "2015-01-01", max: "2030-01-01" }
  updated: { type: timestamp, min: "2015-01-01", max: "2030-01-01", nullable: true }
rows: { min: 1000 }
extra_columns: error
`;

const PYTHON = '/usr/bin/python3';
const TIME = '/usr/bin/time';
const SEED = 42;

const options = parseBenchArgs(process.argv.slice(2), 'validate');
mkdirSync(OUT, { recursive: true });

if (!existsSync(join(ROOT, 'lib', 'core', 'data', 'validate.js'))) {
  console.error('bench: lib/ is not built; run `npm run build` first.');
  process.exit(2);
}
await ensureData(options.rows);
await writeContract(SCHEMA);

const cliBuilt = existsSync(join(ROOT, 'lib', 'cli', 'main.js'));
const modelshipArgs = cliBuilt
  ? ['bin/modelship.js', 'validate', DATA, '--schema', SCHEMA, '--json', REPORT]
  : ['bench/validateLib.mjs', DATA, SCHEMA, REPORT];
if (!cliBuilt)
  console.log('note: lib/cli is not built; timing the library through bench/validateLib.mjs.');

const modelship = await bench('modelship', process.execPath, modelshipArgs, [0, 1], async () => {
  const report = JSON.parse(await readFile(REPORT, 'utf8'));
  return { rows: report.rows, counts: modelshipCounts(report) };
});

let pandas = null;
const pandasVersion = pandasAvailable();
if (pandasVersion) {
  pandas = await bench('pandas', PYTHON, ['bench/validate_pandas.py', DATA], [0], (stdout) => {
    const line = JSON.parse(stdout.trim().split('\n').pop());
    return { rows: line.rows, counts: nonZero(line.counts), inside_s: line.elapsed_s };
  });
  pandas.version = pandasVersion;
} else {
  console.log(
    `note: the pandas reference was skipped: ${PYTHON} cannot import pandas. ` +
      'Install it with `sudo apt-get install python3-pandas` and run `npm run bench` again.',
  );
}

const scan = scanOf([DATA], options.runs);
await writeFile(HEAVY_SCHEMA, HEAVY_CONTRACT);
const heavy = await bench(
  'modelship, heavy contract',
  process.execPath,
  ['bin/modelship.js', 'validate', DATA, '--schema', HEAVY_SCHEMA, '--json', REPORT],
  [0, 1],
  async () => ({ counts: modelshipCounts(JSON.parse(await readFile(REPORT, 'utf8'))) }),
);
await writeParquet(DATA, PARQUET);
const parquetScan = scanOf([PARQUET], options.runs);
const parquet = await bench(
  'modelship, Parquet',
  process.execPath,
  ['bin/modelship.js', 'validate', PARQUET, '--schema', SCHEMA, '--json', REPORT],
  [0, 1],
  async () => ({ rows: JSON.parse(await readFile(REPORT, 'utf8')).rows }),
);
const large = options.large > 0 ? await benchLarge(options.large) : null;

const comparison = pandas ? compare(modelship.counts, pandas.counts) : null;
const speedRatio = pandas ? round(pandas.wall_s / modelship.wall_s, 2) : null;
printResults(modelship, pandas, comparison, speedRatio);

await writeFile(
  RESULT,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: machineInfo(),
      data: {
        file: 'bench/out/data.csv',
        rows: options.rows,
        bytes: statSync(DATA).size,
        seed: SEED,
      },
      runs: options.runs,
      modelship,
      pandas,
      speed_ratio: speedRatio,
      counts_agree: comparison ? comparison.disagreements.length === 0 : null,
      disagreements: comparison?.disagreements ?? null,
      duckdb_scan: scan,
      heavy_contract: heavy,
      parquet: { ...parquet, duckdb_scan: parquetScan },
      large,
      figures: figuresOf(),
    },
    null,
    2,
  ) + '\n',
);
console.log(`\n${figuresTable(figuresOf())}`);
console.log(`\nwrote ${RESULT.slice(ROOT.length)}`);

/** The figures of this run beside their limits (bench/figures.mjs). */
function figuresOf() {
  const figures = [
    figure({
      name: `validate ${options.rows} rows CSV, whole process`,
      value: modelship.wall_s,
      unit: 's',
      limitName: 'DuckDB bare text scan',
      limit: scan.scan_s,
      goal: { max: 2.5 },
    }),
    figure({
      name: 'validate, heavy contract (pattern, in, unique, timestamps)',
      value: heavy.wall_s,
      unit: 's',
      limitName: 'DuckDB bare text scan',
      limit: scan.scan_s,
      goal: { max: 2.5 },
    }),
    figure({
      name: 'validate, peak RSS',
      value: Math.max(modelship.peak_rss_mb ?? 0, heavy.peak_rss_mb ?? 0) || null,
      unit: 'MB',
      goal: { max: 500 },
    }),
    figure({
      name: 'validate Parquet (native types), rows/s whole process',
      value: parquet.rows_per_s / 1e6,
      unit: 'M rows/s',
      limitName: 'DuckDB bare Parquet scan',
      limit: options.rows / parquetScan.scan_s / 1e6,
      goal: { min: 5 },
      absolute: true,
    }),
  ];
  if (large)
    figures.push(
      figure({
        name: `validate ${large.rows} rows CSV, peak RSS`,
        value: large.peak_rss_mb,
        unit: 'MB',
        goal: { max: 1000 },
      }),
      figure({
        name: `profile ${large.rows} rows CSV (no contract), peak RSS`,
        value: large.profile.peak_rss_mb,
        unit: 'MB',
        goal: { max: 1000 },
        absolute: true,
        note: `${large.profile.wall_s} s whole process`,
      }),
      figure({
        name: `validate ${large.rows} rows Parquet (native types), rows/s whole process`,
        value: large.rows / large.parquet.wall_s / 1e6,
        unit: 'M rows/s',
        limitName: 'DuckDB bare Parquet scan',
        limit: large.rows / large.parquet.duckdb_scan.scan_s / 1e6,
        goal: { min: 5 },
        absolute: true,
      }),
      figure({
        name: `validate ${large.rows} rows CSV, whole process`,
        value: large.wall_s,
        unit: 's',
        limitName: 'DuckDB bare text scan',
        limit: large.duckdb_scan.scan_s,
        goal: { max: 2.5 },
        note: `slope ${large.slope_s_per_million} s per million rows`,
      }),
    );
  if (comparison)
    figures.push(
      figure({
        name: 'counts that differ from pandas',
        value: comparison.disagreements.length,
        unit: 'checks',
        goal: { max: 0 },
      }),
    );
  return figures;
}

/** The CSV's rows as Parquet, each column in the native type its contract names. */
async function writeParquet(csv, parquet) {
  if (existsSync(parquet) && statSync(parquet).mtimeMs >= statSync(csv).mtimeMs) return;
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const types = { integer: 'BIGINT', number: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP' };
  const columns = [...CONTRACT.matchAll(/^ {2}(\w+): \{ type: (\w+)/gm)].map(([, name, type]) =>
    types[type] ? `TRY_CAST("${name}" AS ${types[type]}) AS "${name}"` : `"${name}"`,
  );
  await db.run(
    `COPY (SELECT ${columns.join(', ')} FROM read_csv('${csv}', header = true, all_varchar = true)) TO '${parquet}' (FORMAT parquet)`,
  );
}

/** One run at `rows` rows: wall time, peak RSS, the scan beside it and the slope from N rows. */
async function benchLarge(rows) {
  const meta = join(OUT, 'data-large.meta.json');
  const known = existsSync(meta) ? JSON.parse(readFileSync(meta, 'utf8')) : null;
  if (
    !existsSync(DATA_LARGE) ||
    known?.rows !== rows ||
    known?.bytes !== statSync(DATA_LARGE).size
  ) {
    console.log(`generating ${rows} rows into bench/out/data-large.csv ...`);
    await generateCsv(DATA_LARGE, rows, SEED);
    await writeFile(
      meta,
      JSON.stringify({ rows, seed: SEED, bytes: statSync(DATA_LARGE).size }) + '\n',
    );
  }
  const measured = await measure(process.execPath, [
    'bin/modelship.js',
    'validate',
    DATA_LARGE,
    '--schema',
    SCHEMA,
    '--json',
    REPORT,
  ]);
  if (![0, 1].includes(measured.code)) {
    console.error(`modelship (large) exited with ${measured.code}:\n${measured.stderr}`);
    process.exit(2);
  }
  const report = JSON.parse(await readFile(REPORT, 'utf8'));
  console.log(`modelship, ${rows} rows: ${measured.wall_s.toFixed(2)} s, ${measured.rss_mb} MB`);
  const large = {
    rows: report.rows,
    bytes: statSync(DATA_LARGE).size,
    wall_s: round(measured.wall_s, 3),
    peak_rss_mb: measured.rss_mb,
    slope_s_per_million: round(
      ((measured.wall_s - modelship.wall_s) / (rows - options.rows)) * 1e6,
      3,
    ),
  };
  large.duckdb_scan = scanOf([DATA_LARGE], 1);
  // The profile of the same file (no contract: every column's kind decided from its values),
  // which once brought every distinct id into JavaScript and was killed at 24 GB.
  const profiled = await measure(process.execPath, [
    'bin/modelship.js',
    'profile',
    DATA_LARGE,
    '-o',
    join(OUT, 'profile-large.json'),
  ]);
  if (profiled.code !== 0) {
    console.error(`modelship profile (large) exited with ${profiled.code}:\n${profiled.stderr}`);
    process.exit(2);
  }
  console.log(
    `modelship profile, ${rows} rows: ${profiled.wall_s.toFixed(2)} s, ${profiled.rss_mb} MB`,
  );
  large.profile = { wall_s: round(profiled.wall_s, 3), peak_rss_mb: profiled.rss_mb };
  // Parquet's rate needs rows enough that starting Node and DuckDB (0.3 s) is not most of it.
  await writeParquet(DATA_LARGE, PARQUET_LARGE);
  const parquet = await measure(process.execPath, [
    'bin/modelship.js',
    'validate',
    PARQUET_LARGE,
    '--schema',
    SCHEMA,
    '--json',
    REPORT,
  ]);
  if (![0, 1].includes(parquet.code)) {
    console.error(`modelship (large Parquet) exited with ${parquet.code}:\n${parquet.stderr}`);
    process.exit(2);
  }
  console.log(
    `modelship, ${rows} rows of Parquet: ${parquet.wall_s.toFixed(2)} s${cpuText(parquet)}, ${parquet.rss_mb} MB`,
  );
  large.parquet = {
    wall_s: round(parquet.wall_s, 3),
    cpu_s: parquet.cpu_s === null ? null : round(parquet.cpu_s, 3),
    peak_rss_mb: parquet.rss_mb,
    duckdb_scan: scanOf([PARQUET_LARGE], 1),
  };
  return large;
}

/** Reuses bench/out/data.csv when it has the asked row count; writes it otherwise. */
async function ensureData(rows) {
  if (existsSync(DATA)) {
    const meta = existsSync(DATA_META) ? JSON.parse(readFileSync(DATA_META, 'utf8')) : null;
    const size = statSync(DATA).size;
    if (meta && meta.rows === rows && meta.seed === SEED && meta.bytes === size) return;
    if (!meta && (await countLines(DATA)) === rows + 1) {
      await writeMeta({ rows, seed: SEED, faults: null, bytes: size });
      return;
    }
  }
  console.log(`generating ${rows} rows into bench/out/data.csv ...`);
  const faults = await generateCsv(DATA, rows, SEED);
  await writeMeta({ rows, seed: SEED, faults, bytes: statSync(DATA).size });
}

async function writeMeta(meta) {
  await writeFile(DATA_META, JSON.stringify(meta) + '\n');
}

async function countLines(path) {
  let lines = 0;
  for await (const chunk of createReadStream(path)) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return lines;
}

/** The pandas version /usr/bin/python3 imports, or null. */
function pandasAvailable() {
  if (!existsSync(PYTHON)) return null;
  const result = spawnSync(PYTHON, ['-c', 'import pandas; print(pandas.__version__)'], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** Runs a command `runs` times; the median wall time, the highest peak RSS, the last output. */
async function bench(tool, command, args, okCodes, read) {
  const walls = [];
  const cpus = [];
  const rss = [];
  const inside = [];
  let result;
  for (let run = 1; run <= options.runs; run++) {
    process.stdout.write(`${tool}: run ${run}/${options.runs} ... `);
    const measured = await measure(command, args);
    if (!okCodes.includes(measured.code)) {
      console.error(`\n${tool} exited with ${measured.code}:\n${measured.stderr}`);
      process.exit(2);
    }
    walls.push(measured.wall_s);
    cpus.push(measured.cpu_s);
    rss.push(measured.rss_mb);
    console.log(
      `${measured.wall_s.toFixed(2)} s${cpuText(measured)}, ${measured.rss_mb ?? '?'} MB`,
    );
    result = { exit_code: measured.code, ...(await read(measured.stdout)) };
    if (result.inside_s !== undefined) inside.push(result.inside_s);
  }
  if (inside.length) result.inside_s = median(inside);
  const wall = median(walls);
  return {
    command: [command === process.execPath ? 'node' : command, ...args]
      .join(' ')
      .replaceAll(ROOT, ''),
    walls_s: walls.map((w) => round(w, 3)),
    wall_s: round(wall, 3),
    cpu_s: cpus.includes(null) ? null : round(median(cpus), 3),
    rows_per_s: Math.round(options.rows / wall),
    peak_rss_mb: rss.includes(null) ? null : Math.max(...rss),
    ...result,
  };
}

/** ' (CPU x s)' when /usr/bin/time gave the CPU time of a measured run. */
function cpuText(measured) {
  return measured.cpu_s === null ? '' : ` (CPU ${measured.cpu_s.toFixed(2)} s)`;
}

/**
 * Wall time, peak RSS and (with GNU time) CPU time of one child process (GNU time if present,
 * else polling VmHWM).
 */
function measure(command, args) {
  const useTime = existsSync(TIME);
  const [file, argv] = useTime ? [TIME, ['-v', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let hwmKb = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const poll = useTime
      ? null
      : setInterval(() => {
          try {
            const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
            hwmKb = Math.max(hwmKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
          } catch {
            // The process has ended (or /proc is not there): keep what was seen.
          }
        }, 20);
    child.on('error', reject);
    child.on('close', (code) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      if (poll) clearInterval(poll);
      let rssKb = hwmKb || null;
      let cpu = null;
      if (useTime) {
        rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1]) || null;
        // CPU time, steadier than wall time when other jobs share the machine.
        const user = /User time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
        const system = /System time \(seconds\): ([\d.]+)/.exec(stderr)?.[1];
        if (user && system) cpu = Number(user) + Number(system);
        const exit = /Exit status: (\d+)/.exec(stderr);
        if (exit) code = Number(exit[1]);
        stderr = stderr.replace(/\n?\s*Command (being timed|exited)[\s\S]*$/, '');
      }
      resolve({
        code,
        wall_s: wall,
        cpu_s: cpu,
        rss_mb: rssKb ? Math.round(rssKb / 1024) : null,
        stdout,
        stderr,
      });
    });
  });
}

/** Violations of a Modelship report as { "column.check": unexpected_count }. */
function modelshipCounts(report) {
  const counts = {};
  for (const v of report.violations) counts[`${v.column ?? ''}.${v.check}`] = v.unexpected_count;
  return counts;
}

function nonZero(counts) {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

function compare(ours, theirs) {
  const keys = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])];
  const rows = keys.map((key) => ({ key, modelship: ours[key] ?? 0, pandas: theirs[key] ?? 0 }));
  return { rows, disagreements: rows.filter((r) => r.modelship !== r.pandas) };
}

function printResults(ms, pd, comparison, ratio) {
  const total = (counts) => Object.values(counts).reduce((a, b) => a + b, 0);
  const line = (name, r) => [
    name,
    String(r.rows),
    r.wall_s.toFixed(2),
    r.rows_per_s.toLocaleString('en-US'),
    r.peak_rss_mb === null ? '?' : String(r.peak_rss_mb),
    `${total(r.counts)} in ${Object.keys(r.counts).length} checks`,
  ];
  const tools = [line('modelship validate', ms)];
  if (pd) tools.push(line(`pandas ${pd.version}`, pd));
  console.log(`\n${options.rows} rows × 20 columns, median wall time of ${options.runs} run(s)\n`);
  console.log(
    markdownTable([['tool', 'rows', 'wall s', 'rows/s', 'peak RSS MB', 'violations'], ...tools], {
      align: ['l', 'r', 'r', 'r', 'r', 'l'],
    }),
  );
  if (!pd) return;
  console.log(
    `\nspeed modelship/pandas: ${ratio}× (pandas timed inside Python, read_csv included, median: ` +
      `${pd.inside_s} s)\n`,
  );
  const checks = comparison.rows
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((r) => [
      r.key.split('.')[0] || '(table)',
      r.key.split('.')[1],
      String(r.modelship),
      String(r.pandas),
      r.modelship === r.pandas ? 'yes' : 'NO',
    ]);
  console.log(
    markdownTable([['column', 'check', 'modelship', 'pandas', 'agree'], ...checks], {
      align: ['l', 'l', 'r', 'r', 'c'],
    }),
  );
  if (comparison.disagreements.length === 0) {
    console.log('\ncounts agree: yes, every (column, check) count is the same.');
  } else {
    console.log(`\ncounts agree: NO, ${comparison.disagreements.length} disagreement(s):`);
    for (const d of comparison.disagreements) {
      console.log(`  ${d.key}: modelship ${d.modelship}, pandas ${d.pandas}`);
    }
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
