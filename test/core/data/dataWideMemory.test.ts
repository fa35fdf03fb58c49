// Memory on wide files: schema inference and profiling run one scan per batch of columns, so
// peak memory follows the batch, not the column count. Measured in a child process (maxRSS).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { flagTableSql, planContract } from '../../../src/core/data/contractPlan.js';
import type { DataSource } from '../../../src/core/data/dataSource.js';
import { buildCliIfStale, ROOT } from '../../support/cli.js';
import { contractOf } from '../../support/dataContract.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const COLUMNS = 400;
const ROWS = 50;
const GB = 1024 ** 3;

/** Runs `call` on the built library in a fresh Node process; returns its peak RSS in bytes. */
function peakRss(module: string, call: string): number {
  const url = pathToFileURL(join(ROOT, 'lib', 'core', 'data', module)).href;
  const script = `const m = await import(${JSON.stringify(url)}); await ${call};
process.stdout.write(String(process.resourceUsage().maxRSS * 1024));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status, result.stderr).toBe(0);
  return Number(result.stdout.trim());
}

beforeAll(() => {
  buildCliIfStale();
  const header = Array.from({ length: COLUMNS }, (_, j) => `c${j}`).join(',');
  const rows = Array.from({ length: ROWS }, (_, i) =>
    Array.from({ length: COLUMNS }, (_, j) =>
      j % 3 === 0
        ? String((i * 7 + j) % 97)
        : j % 3 === 1
          ? ((i + j) / 3).toFixed(2)
          : `k${(i + j) % 5}`,
    ).join(','),
  );
  writeFileSync(join(dir, 'wide.csv'), [header, ...rows].join('\n') + '\n');
});

describe(`a ${COLUMNS}-column file of ${ROWS} rows`, () => {
  const file = JSON.stringify(join(dir, 'wide.csv'));

  it('is inferred in under 1 GB (it took 4.7 GB)', () => {
    const rss = peakRss('inferContract.js', `m.inferContract(${file})`);
    expect(rss / GB).toBeLessThan(1);
  });

  it('is profiled in under 1 GB (it took 1.4 GB)', () => {
    const rss = peakRss('profile.js', `m.buildProfile(${file})`);
    expect(rss / GB).toBeLessThan(1);
  });
});

describe('validation of wide files', () => {
  /** The length of the one-scan SQL for n integer columns, each with a min and a max. */
  function flagSqlLength(n: number): number {
    const names = Array.from({ length: n }, (_, j) => `c${j}`);
    const source: DataSource = {
      display: 'wide.csv',
      files: ['wide.csv'],
      format: 'csv',
      columns: names,
      types: Object.fromEntries(names.map((c) => [c, 'VARCHAR'])),
      delimiter: ',',
    };
    const contract = contractOf({
      columns: Object.fromEntries(names.map((c) => [c, { type: 'integer', min: 0, max: 9 }])),
    });
    return flagTableSql(planContract(contract, source), source, 'flags').length;
  }

  it('builds SQL in proportion to the columns, not columns × checks', () => {
    // Quadratic before: 73 MB of SQL, 2 minutes and 6.9 GB to validate 10,000 columns.
    const ratio = flagSqlLength(4000) / flagSqlLength(1000);
    expect(ratio).toBeLessThan(5);
  });
});
