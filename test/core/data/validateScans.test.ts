// The scan guard: a validation reads its data files once, whatever the contract asks (types,
// bounds, `in`, patterns, unique, nulls) and however many checks fail. Every later query reads the
// flag table that one scan wrote. A count, not a timing: it cannot flake on a busy machine, and
// a second scan of a 1.5 GB file is what it exists to catch.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DataContract } from '../../../src/core/config/dataContract.js';
import { validateData } from '../../../src/core/data/validate.js';
import { contractOf } from '../../support/dataContract.js';
import { recordQueries, scansOf } from '../../support/queryRecorder.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

afterEach(() => {
  vi.restoreAllMocks();
});

const CONTRACT: DataContract = contractOf({
  columns: {
    id: { type: 'string', unique: true, pattern: '^u[0-9]+$' },
    age: { type: 'integer', min: 18, max: 100 },
    score: { type: 'number', min: 0, max: 1, nullable: true },
    plan: { type: 'string', in: ['free', 'pro'] },
    code: { type: 'string', unique: true },
    created: { type: 'timestamp', min: '2015-01-01' },
    active: { type: 'boolean' },
  },
  rows: { min: 1 },
});

function rowsOf(n: number, fault: (i: number) => boolean): string {
  const lines = ['id,age,score,plan,code,created,active'];
  for (let i = 0; i < n; i++) {
    const bad = fault(i);
    lines.push(
      [
        bad ? `x${i % 7}` : `u${i}`,
        bad ? 'old' : String(18 + (i % 80)),
        bad ? '2' : i % 5 === 0 ? '' : '0.5',
        bad ? 'gold' : i % 2 ? 'pro' : 'free',
        bad ? 'same' : `c${i}`,
        bad ? '2001-01-01' : '2020-02-03',
        bad ? 'maybe' : 'true',
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('a validation scans its data once', () => {
  it('with every kind of check failing (examples, duplicates, nulls)', async () => {
    const file = join(dir, 'faulty.csv');
    writeFileSync(
      file,
      rowsOf(500, (i) => i % 9 === 0),
    );
    const queries = recordQueries();
    const report = await validateData(file, CONTRACT);
    // The faults were seen: the guard is about a validation that did its work.
    const checks = new Set(report.violations.map((v) => `${v.column}.${v.check}`));
    for (const expected of ['id.pattern', 'id.unique', 'age.type', 'score.max', 'plan.in'])
      expect(checks).toContain(expected);
    expect(checks).toContain('code.unique');
    expect(checks).toContain('created.min');
    expect(checks).toContain('active.type');
    expect(scansOf(queries)).toHaveLength(1);
    expect(queries.length).toBeGreaterThan(3);
  });

  it('with nothing failing', async () => {
    const file = join(dir, 'clean.csv');
    writeFileSync(
      file,
      rowsOf(300, () => false),
    );
    const queries = recordQueries();
    const report = await validateData(file, CONTRACT);
    expect(report.ok).toBe(true);
    expect(scansOf(queries)).toHaveLength(1);
  });

  it('for a glob of files: one scan of all of them', async () => {
    writeFileSync(
      join(dir, 'part-1.csv'),
      rowsOf(100, (i) => i === 3),
    );
    writeFileSync(
      join(dir, 'part-2.csv'),
      rowsOf(100, (i) => i === 5),
    );
    const queries = recordQueries();
    const report = await validateData(join(dir, 'part-*.csv'), CONTRACT);
    expect(report.files).toHaveLength(2);
    expect(report.ok).toBe(false);
    expect(scansOf(queries)).toHaveLength(1);
  });
});
