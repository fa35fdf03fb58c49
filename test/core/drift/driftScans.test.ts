// The drift scan guard: against a raw reference file, drift reads each file once. The reference's
// untyped text columns get their kinds (number, time, category) from the same scan that counts
// their values, not from a pass of casts before it. A count, not a timing: it cannot flake.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isModelshipError } from '../../../src/core/errors.js';
import { computeDrift } from '../../../src/core/drift/index.js';
import { recordQueries, scansOf } from '../../support/queryRecorder.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();

afterEach(() => {
  vi.restoreAllMocks();
});

/** Text columns only: a number, a time, a category, and numbers with one word among them. */
function csv(rows: number, shift: number): string {
  const lines = ['num,when,cat,mixed'];
  for (let i = 0; i < rows; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    lines.push(
      [
        String((i % 97) + shift),
        `2024-03-${day} 10:00:00`,
        ['red', 'green', 'blue'][(i + shift) % 3],
        i === 7 ? 'seven' : String(i % 11),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

describe('drift against raw files', () => {
  it('scans the reference and the current file once each, deciding kinds in that scan', async () => {
    const reference = join(dir, 'reference.csv');
    const current = join(dir, 'current.csv');
    writeFileSync(reference, csv(600, 0));
    writeFileSync(current, csv(400, 30));
    const queries = recordQueries();
    const report = await computeDrift({ reference, current });
    expect(scansOf(queries, reference)).toHaveLength(1);
    expect(scansOf(queries, current)).toHaveLength(1);
    // The kinds the scan decided: numbers tested in order, the time column left out, and a
    // column with one word among its numbers treated as categories.
    expect(report.columns.num!.method).toBe('ks');
    expect(report.columns.cat!.method).toBe('chisquare');
    expect(report.columns.mixed!.method).toBe('chisquare');
    expect(report.columns.when).toBeUndefined();
    expect(report.notes.join(' ')).toContain('Left out as time columns');
    expect(report.columns.num!.drifted).toBe(true);
  });

  it('still refuses a reference whose gzip is cut short on a row boundary, checked beside the scan', async () => {
    const text = Buffer.from(csv(3000, 0));
    const boundary = text.lastIndexOf('\n', Math.floor(text.length / 2)) + 1;
    const cut = gzipSync(text.subarray(0, boundary), { level: 0 });
    const reference = join(dir, 'cut.csv.gz');
    writeFileSync(reference, cut.subarray(0, cut.length - 8)); // the gzip trailer gone
    const current = join(dir, 'current-whole.csv');
    writeFileSync(current, csv(400, 30));
    const error = await computeDrift({ reference, current }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isModelshipError(error)).toBe(true);
    expect((error as Error).message).toMatch(/cut\.csv\.gz: the gzip data is cut short/);
  });
});
