// modelship profile / drift from the command line: reports, exit codes, and bad input as one line.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCliIfStale, runCli, type CliResult } from '../support/cli.js';
import { writeSeattleYears } from '../fixtures/data/seattleYears.js';
import { useTempDir } from '../support/tempDir.js';

const dir = useTempDir();

function writeYears(name: string, years: number[]): void {
  writeSeattleYears(join(dir, name), years);
}

function expectBadInput(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
}

beforeAll(() => {
  buildCliIfStale();
  for (const y of [2012, 2013, 2014, 2015]) writeYears(`y${y}.csv`, [y]);
  writeYears('ref.csv', [2012, 2013, 2014]);
  writeFileSync(join(dir, 'other.csv'), 'a,b\n1,2\n');
  // The header of the weather data and no rows: an export that produced nothing.
  writeFileSync(
    join(dir, 'header-only.csv'),
    'date,precipitation,temp_max,temp_min,wind,weather\n',
  );
  writeFileSync(join(dir, 'nulls.csv'), 'wind\n\n\n');
  writeFileSync(join(dir, 'broken.json'), '{ "profile_version": 2, ');
  writeFileSync(join(dir, 'notprofile.json'), '{ "hello": 1 }');
  writeFileSync(
    join(dir, 'times.yml'),
    'model: { name: w, task: regression, path: m.onnx, target: temp_max, features: [wind] }\ndrift: { columns: [date] }\n',
  );
  writeFileSync(
    join(dir, 'modelship.yml'),
    'model: { name: w, task: regression, path: m.onnx, target: temp_max, features: [wind] }\ndrift: { share: 0.9 }\n',
  );
});

describe('modelship drift', () => {
  it('writes the JSON (DESIGN §5 keys) and markdown reports; exit 0 without --fail-on-drift', () => {
    const r = runCli(
      [
        'drift',
        '--reference',
        'ref.csv',
        '--current',
        'y2015.csv',
        '--json',
        'd.json',
        '--markdown',
        'd.md',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^drift: DRIFT DETECTED: 4 of 5 columns/);
    const report = JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'));
    expect(report).toMatchObject({ dataset_drift: true, drift_share: 0.8 });
    expect(Object.keys(report.columns.temp_max)).toEqual(
      expect.arrayContaining(['type', 'method', 'score', 'threshold', 'drifted', 'psi']),
    );
    const md = readFileSync(join(dir, 'd.md'), 'utf8');
    expect(md).toMatch(/Drift detected/);
    expect(md.match(/```mermaid/g)).toHaveLength(4);
  });

  it('exits 1 with --fail-on-drift when the dataset drifts, 0 when drift.share is not reached', () => {
    expect(
      runCli(['drift', '-r', 'ref.csv', '--current', 'y2015.csv', '--fail-on-drift'], dir).code,
    ).toBe(1);
    const r = runCli(
      [
        'drift',
        '-r',
        'ref.csv',
        '--current',
        'y2015.csv',
        '--fail-on-drift',
        '--config',
        'modelship.yml',
      ],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /no dataset drift: 4 of 5 columns drifted \(80\.0%; threshold 90\.0%\)/,
    );
  });

  it('profiles, merges shard profiles, and checks drift against the merged profile', () => {
    for (const y of [2012, 2013, 2014])
      expect(runCli(['profile', `y${y}.csv`, '-o', `p${y}.json`], dir).code).toBe(0);
    const merged = runCli(
      ['profile', '--merge', 'p2012.json', 'p2013.json', 'p2014.json', '-o', 'whole.json'],
      dir,
    );
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/merged 3 profiles: 1096 rows/);
    const viaProfile = runCli(
      ['drift', '-r', 'whole.json', '--current', 'y2015.csv', '--json', 'p.json'],
      dir,
    );
    const viaData = runCli(
      ['drift', '-r', 'ref.csv', '--current', 'y2015.csv', '--json', 'r.json'],
      dir,
    );
    expect(viaProfile.code).toBe(0);
    const a = JSON.parse(readFileSync(join(dir, 'p.json'), 'utf8'));
    const b = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    expect(viaData.code).toBe(0);
    expect(a.reference.kind).toBe('profile');
    for (const name of Object.keys(b.columns))
      expect(a.columns[name].score).toBeCloseTo(b.columns[name].score, 12);
  });

  it('bad input: one line naming the file and what to do, exit 2', () => {
    expectBadInput(
      runCli(['drift', '-r', 'missing.csv', '--current', 'y2015.csv'], dir),
      /^modelship: missing\.csv: file not found; check the path/,
    );
    expectBadInput(
      runCli(['drift', '-r', 'missing.json', '--current', 'y2015.csv'], dir),
      /^modelship: missing\.json: profile not found; .*modelship profile/,
    );
    expectBadInput(
      runCli(['drift', '-r', 'broken.json', '--current', 'y2015.csv'], dir),
      /^modelship: broken\.json: not valid JSON .*modelship profile <data> -o broken\.json/,
    );
    expectBadInput(
      runCli(['drift', '-r', 'notprofile.json', '--current', 'y2015.csv'], dir),
      /^modelship: notprofile\.json: not a Modelship profile \(profile_version: /,
    );
    expectBadInput(
      runCli(['drift', '-r', 'ref.csv', '--current', 'other.csv'], dir),
      /^modelship: other\.csv: shares no column with the reference ref\.csv/,
    );
    expectBadInput(
      runCli(['drift', '-r', 'ref.csv', '--current', 'header-only.csv'], dir),
      /^modelship: header-only\.csv: has no data rows, so there is nothing to compare/,
    );
    expectBadInput(
      runCli(['drift', '-r', 'header-only.csv', '--current', 'y2015.csv'], dir),
      /^modelship: header-only\.csv: has no data rows/,
    );
    // drift.columns naming only the time column: nothing left to compare.
    expectBadInput(
      runCli(['drift', '-r', 'ref.csv', '--current', 'y2015.csv', '-c', 'times.yml'], dir),
      /^modelship: y2015\.csv: every column to compare with ref\.csv is a time column \(date\), which drift leaves out .*drift\.columns/,
    );
    expectBadInput(
      runCli(['drift', '-r', 'ref.csv', '--current', 'nulls.csv'], dir),
      /^modelship: nulls\.csv: no column has values on both sides to compare with ref\.csv \(wind /,
    );
    expectBadInput(
      runCli(['profile', 'y2012.csv', 'y2013.csv', '-o', 'x.json'], dir),
      /^modelship: profile: name one data file or glob \(got 2\); .*--merge/,
    );
    expectBadInput(
      runCli(['profile', '--merge', 'p2012.json', 'broken.json', '-o', 'x.json'], dir),
      /^modelship: broken\.json: not valid JSON/,
    );
  });
});
