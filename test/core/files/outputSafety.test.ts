// Outputs never destroy inputs: a report or profile aimed at an input of the same command is
// refused before any work, and every report is written atomically (temporary file + rename).
import { linkSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/core/files/outputFiles.js';
import { EXAMPLE_CONFIG } from '../../support/evaluateProject.js';
import { buildCliIfStale, runCli, type CliResult } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const abs = (name: string) => join(dir, name);
const SCHEMA = 'columns:\n  a: { type: integer }\n  b: { type: string }\n';
const DATA = 'a,b\n1,x\n2,y\n';

function expectBadInput(result: CliResult, message: RegExp): void {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(result.code).toBe(2);
}

beforeAll(() => {
  buildCliIfStale();
  writeFileSync(abs('schema.yml'), SCHEMA);
  writeFileSync(abs('data.csv'), DATA);
  writeFileSync(abs('part-1.csv'), DATA);
});

describe('a report aimed at an input', () => {
  it('validate --json/--markdown at the data or the contract is refused, the input intact', () => {
    for (const [flag, target] of [
      ['--json', 'data.csv'],
      ['--markdown', 'schema.yml'],
      ['--json', './part-1.csv'],
    ] as const) {
      const data = target.includes('part') ? 'part-*.csv' : 'data.csv';
      expectBadInput(
        runCli(['validate', data, '-s', 'schema.yml', flag, target], dir),
        new RegExp(`^modelship: ${flag} .*is an input of this command.*choose another path\\.$`),
      );
    }
    expect(readFileSync(abs('data.csv'), 'utf8')).toBe(DATA);
    expect(readFileSync(abs('part-1.csv'), 'utf8')).toBe(DATA);
    expect(readFileSync(abs('schema.yml'), 'utf8')).toBe(SCHEMA);
  });

  it('validate --json and --markdown naming one file is refused', () => {
    expectBadInput(
      runCli(['validate', 'data.csv', '-s', 'schema.yml', '--json', 'r', '--markdown', 'r'], dir),
      /^modelship: --json and --markdown name the same file/,
    );
  });

  it('profile -o at its data, or at a profile it merges, is refused', () => {
    expectBadInput(
      runCli(['profile', 'data.csv', '-o', 'data.csv'], dir),
      /^modelship: --out data.csv: is an input/,
    );
    expect(runCli(['profile', 'data.csv', '-o', 'p.json'], dir).code).toBe(0);
    const profile = readFileSync(abs('p.json'), 'utf8');
    expectBadInput(
      runCli(['profile', '--merge', 'p.json', 'p.json', '-o', 'p.json'], dir),
      /^modelship: --out p.json: is an input/,
    );
    expect(readFileSync(abs('p.json'), 'utf8')).toBe(profile);
  });

  it('gate --json at its report, drift --json at its current data, evaluate --markdown at its config', () => {
    writeFileSync(abs('report.json'), '{"metrics": {}}\n');
    expectBadInput(
      runCli(['gate', '-c', EXAMPLE_CONFIG, '-r', 'report.json', '--json', 'report.json'], dir),
      /^modelship: --json report.json: is an input/,
    );
    expectBadInput(
      runCli(['drift', '-r', 'data.csv', '--current', 'part-1.csv', '--json', 'part-1.csv'], dir),
      /^modelship: --json part-1.csv: is an input/,
    );
    expectBadInput(
      runCli(['evaluate', '-c', EXAMPLE_CONFIG, '--markdown', EXAMPLE_CONFIG], dir),
      /^modelship: --markdown .*modelship.yml: is an input/,
    );
    expect(readFileSync(abs('report.json'), 'utf8')).toBe('{"metrics": {}}\n');
  });
});

describe('atomic writes', () => {
  it('replaces the file by rename: a reader of the old file never sees it torn', () => {
    writeFileSync(abs('old.json'), '{"old": true}\n');
    // A second name for the old file: a truncate-then-write would change it too.
    linkSync(abs('old.json'), abs('held.json'));
    expect(runCli(['profile', 'data.csv', '-o', 'old.json'], dir).code).toBe(0);
    expect(readFileSync(abs('held.json'), 'utf8')).toBe('{"old": true}\n');
    expect(JSON.parse(readFileSync(abs('old.json'), 'utf8'))).toMatchObject({ rows: 2 });
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves no temporary file when the write fails', () => {
    expect(() => writeFileAtomic(join(dir, 'data.csv', 'x.json'), 'x')).toThrow();
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
