// A profile of a text file is one scan: every column grouped by value, an untyped column's kind
// decided from its distinct values, and categories cut to the top ones inside DuckDB (a column of
// millions of ids once brought every value into JavaScript and took 24 GB). Counts are checked
// against the same counts made here by hand.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProfile, type CategoricalColumnProfile } from '../../../src/core/data/profile.js';
import { recordQueries, scansOf } from '../../support/queryRecorder.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

afterEach(() => {
  vi.restoreAllMocks();
});

const ROWS = 3000;

describe('a profile of a text file', () => {
  it('scans it once, decides kinds from that scan and cuts categories in DuckDB', async () => {
    const file = join(dir, 'data.csv');
    const ids: string[] = [];
    const lines = ['id,amount,seen,late'];
    for (let i = 0; i < ROWS; i++) {
      // ids repeat unevenly: i % 7 == 0 rows share a few ids, so the top ones are clear.
      const id = i % 7 === 0 ? `hot${i % 5}` : `u${i}`;
      ids.push(id);
      const amount = i === 11 ? 'inf' : String(i % 50);
      const seen = `2024-01-${String(1 + (i % 28)).padStart(2, '0')}`;
      // A time column empty in its first 2,500 rows: decided by all its values, not the first.
      const late = i < 2500 ? '' : `2025-06-${String(1 + (i % 28)).padStart(2, '0')} 08:30:00`;
      lines.push([id, amount, seen, late].join(','));
    }
    writeFileSync(file, `${lines.join('\n')}\n`);
    const queries = recordQueries();
    const profile = await buildProfile(file, { topCategories: 10 });
    expect(scansOf(queries, file)).toHaveLength(1);

    const byName = new Map(profile.columns.map((c) => [c.name, c]));
    expect(byName.get('amount')).toMatchObject({ kind: 'numeric', invalid: 1, count: ROWS });
    expect(byName.get('seen')).toMatchObject({
      kind: 'datetime',
      min: '2024-01-01 00:00:00',
      max: '2024-01-28 00:00:00',
    });
    expect(byName.get('late')).toMatchObject({ kind: 'datetime', nulls: 2500 });

    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const kept = sorted.slice(0, 10);
    const id = byName.get('id') as CategoricalColumnProfile;
    expect(id.distinct).toBe(counts.size);
    expect(id.categories).toEqual(kept.map(([value, count]) => ({ value, count })));
    expect(id.other).toEqual({
      distinct: counts.size - 10,
      count: ROWS - kept.reduce((sum, [, n]) => sum + n, 0),
    });
  });
});
