// Drift statistics against values computed independently with scipy/numpy/pandas on real data:
// Seattle weather 2012–2015 split by year. The expected values come from
// test/fixtures/reference/drift_reference.py (re-run it with /usr/bin/python3 to regenerate
// drift_expected.json); CI reads the committed JSON and needs no Python.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadConfig, type LoadedConfig } from '../../../src/core/config/modelshipConfig.js';
import { compareCdfs, sketchCdf } from '../../../src/core/data/cdf.js';
import { withDatabase } from '../../../src/core/data/duckdb.js';
import {
  buildProfile,
  type DataProfile,
  type NumericColumnProfile,
} from '../../../src/core/data/profile.js';
import { computeDrift, type DriftReport } from '../../../src/core/drift/index.js';
import { kolmogorovSf } from '../../../src/core/drift/kolmogorov.js';
import { ksPValue } from '../../../src/core/drift/ksTest.js';
import { writeSeattleYears } from '../../fixtures/data/seattleYears.js';
import { useTempDir } from '../../support/tempDir.js';

const ROOT = join(import.meta.dirname, '../../..');
const EXPECTED = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/reference/drift_expected.json'), 'utf8'),
) as Expected;

interface ExpectedColumn {
  method: string;
  score: number;
  /** "inf" where scipy's statistic is infinite (JSON has no infinity). */
  statistic?: number | string;
  null_share: [number, number];
  psi: number;
  n_unique: number;
  ks_statistic?: number;
  ks_pvalue_asymp?: number;
  wasserstein_normed?: number;
}
interface Expected {
  scenarios: Record<
    string,
    {
      reference: number[];
      current: number[];
      weather_in?: string[];
      file?: string;
      island?: [string, string];
      reference_rows: number;
      current_rows: number;
      columns: Record<string, ExpectedColumn>;
    }
  >;
  kstwo: { n: number; d: number; p: number }[];
}

const dir = useTempDir();

const PENGUINS = join(ROOT, 'test/fixtures/data/penguins.csv');

/** Penguins of one island, through DuckDB (the file quotes its fields); empty fields stay empty. */
async function writeIsland(name: string, island: string): Promise<string> {
  const path = join(dir, name);
  await withDatabase((db) =>
    db.run(
      `COPY (SELECT * FROM read_csv('${PENGUINS}', header = true, all_varchar = true) WHERE island = '${island}') TO '${path}' (HEADER)`,
    ),
  );
  return path;
}

async function files(scenario: string): Promise<{ reference: string; current: string }> {
  const s = EXPECTED.scenarios[scenario]!;
  if (s.island)
    return {
      reference: await writeIsland(`${scenario}-ref.csv`, s.island[0]),
      current: await writeIsland(`${scenario}-cur.csv`, s.island[1]),
    };
  return {
    reference: writeSeattleYears(join(dir, `${scenario}-ref.csv`), s.reference, s.weather_in),
    current: writeSeattleYears(join(dir, `${scenario}-cur.csv`), s.current, s.weather_in),
  };
}

/** A modelship.yml for the weather data with the given drift section. */
export function weatherConfig(drift: Record<string, unknown>): LoadedConfig {
  const file = join(dir, `modelship-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(
    file,
    stringify({
      model: {
        name: 'seattle',
        task: 'regression',
        path: 'model.onnx',
        target: 'temp_max',
        features: ['wind'],
      },
      drift,
    }),
  );
  return loadConfig(file);
}

function expectClose(actual: number | null | undefined, expected: number, tolerance: number) {
  expect(actual).not.toBeNull();
  expect(Math.abs(actual! - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(tolerance);
}

const reports: Record<string, DriftReport> = {};

beforeAll(async () => {
  for (const scenario of Object.keys(EXPECTED.scenarios))
    reports[scenario] = await computeDrift(await files(scenario));
});

describe('drift on raw data against scipy', () => {
  for (const scenario of ['small', 'large', 'z', 'close', 'penguins']) {
    it(`${scenario}: method, score, statistic, PSI and n_u per column`, () => {
      const expected = EXPECTED.scenarios[scenario]!;
      const report = reports[scenario]!;
      expect(report.reference).toMatchObject({ kind: 'data', rows: expected.reference_rows });
      expect(report.current.rows).toBe(expected.current_rows);
      expect(report.approximate).toBe(false);
      for (const [name, want] of Object.entries(expected.columns)) {
        const got = report.columns[name]!;
        expect(got.method, name).toBe(want.method);
        expect(got.n_unique, name).toBe(want.n_unique);
        // KS p-values: the task asks 1e-4; scipy's own algorithm gives far closer.
        expectClose(got.score, want.score, want.method === 'ks' ? 1e-4 : 1e-6);
        expectClose(got.score, want.score, 1e-9);
        if (want.statistic === 'inf') expect(got.statistic).toBe(Infinity);
        else if (want.statistic !== undefined)
          expectClose(got.statistic, Number(want.statistic), 1e-6);
        expectClose(got.psi, want.psi, 1e-6);
        expectClose(got.reference.null_share, want.null_share[0], 1e-12);
        expectClose(got.current.null_share, want.null_share[1], 1e-12);
      }
    });
  }

  it('covers every method and both sample-size regimes', () => {
    const methods = new Set(
      Object.values(EXPECTED.scenarios).flatMap((s) =>
        Object.values(s.columns).map((c) => c.method),
      ),
    );
    expect([...methods].sort()).toEqual(['chisquare', 'jensenshannon', 'ks', 'wasserstein', 'z']);
    // Numeric with few values is tested as categories (penguins' year: 3 values, chi-square).
    expect(reports.penguins!.columns.year).toMatchObject({ type: 'numeric', method: 'chisquare' });
    expect(EXPECTED.scenarios.small!.reference_rows).toBeLessThanOrEqual(1000);
    expect(EXPECTED.scenarios.large!.reference_rows).toBeGreaterThan(1000);
  });

  it('KS with the asymptotic distribution matches ks_2samp(method="asymp")', () => {
    const s = EXPECTED.scenarios.small!;
    for (const [name, want] of Object.entries(s.columns)) {
      if (want.ks_statistic === undefined) continue;
      const p = ksPValue(want.ks_statistic, s.reference_rows, s.current_rows, 'asymp');
      expect(p.method).toBe('asymp');
      expectClose(p.pValue, want.ks_pvalue_asymp!, 1e-9);
      expect(reports.small!.columns[name]!.ks_mode).toBe('exact');
    }
  });

  it('kstwo.sf over every branch of scipy’s _kolmogn', () => {
    for (const { n, d, p } of EXPECTED.kstwo) expectClose(kolmogorovSf(n, d), p, 1e-10);
  });

  it('picks the asymptotic distribution beyond 10,000 values on a side, as ks_2samp', () => {
    expect(ksPValue(0.02, 10_000, 10_000).method).toBe('exact');
    expect(ksPValue(0.02, 10_001, 300).method).toBe('asymp');
  });

  it('Wasserstein normed matches scipy on every numeric column (large reference)', () => {
    for (const [name, want] of Object.entries(EXPECTED.scenarios.large!.columns))
      if (want.wasserstein_normed !== undefined)
        expectClose(reports.large!.columns[name]!.score, want.wasserstein_normed, 1e-9);
  });

  it('dataset drift is the share of drifted columns against drift.share', () => {
    for (const [scenario, s] of Object.entries(EXPECTED.scenarios)) {
      if (s.weather_in) continue; // the Z scenario's expectations cover one column only
      if (s.island) continue; // penguins: checked column by column above
      const report = reports[scenario]!;
      const drifted = Object.values(s.columns).filter((c) =>
        c.method === 'ks'
          ? c.score <= 0.05
          : c.method === 'chisquare' || c.method === 'z'
            ? c.score < 0.05
            : c.score >= 0.1,
      ).length;
      const total = Object.keys(s.columns).length;
      expect(report.drifted_columns, scenario).toBe(drifted);
      expect(report.total_columns).toBe(total);
      expect(report.drift_share).toBeCloseTo(drifted / total, 12);
      expect(report.dataset_drift).toBe(drifted / total >= 0.5);
    }
  });

  it('reads Parquet (queried directly, column by column) to the same report columns as CSV, to the bit', async () => {
    const { reference, current } = await files('large');
    const parquet = async (csv: string) => {
      const out = csv.replace(/\.csv$/, '.parquet');
      await withDatabase((db) =>
        db.run(
          `COPY (SELECT * FROM read_csv('${csv}', header = true)) TO '${out}' (FORMAT parquet)`,
        ),
      );
      return out;
    };
    const report = await computeDrift({
      reference: await parquet(reference),
      current: await parquet(current),
    });
    // Categories in value order on both sides: the same sums in the same order.
    expect(report.columns).toEqual(reports.large!.columns);
  });

  it('reads a wide text file in scans of 48 grouped columns, every column complete', async () => {
    const width = 100;
    const header = Array.from({ length: width }, (_, j) => `x${j}`).join(',');
    const lines = Array.from({ length: 30 }, (_, r) =>
      Array.from({ length: width }, (_, j) => (j % 2 ? `v${(r * j) % 7}` : r % (j + 2) || '')).join(
        ',',
      ),
    );
    const path = join(dir, 'wide.csv');
    writeFileSync(path, `${header}\n${lines.join('\n')}\n`);
    const profile = await buildProfile(path);
    expect(profile.columns).toHaveLength(width);
    profile.columns.forEach((column, j) => {
      const cells = lines.map((l) => l.split(',')[j]!);
      expect(column.nulls, column.name).toBe(cells.filter((c) => c === '').length);
      expect(column.count + column.nulls).toBe(30);
      if (column.kind === 'numeric')
        expect(column.values!.reduce((s, v) => s + v.count, 0)).toBe(column.count);
      else if (column.kind === 'categorical')
        expect(new Set(column.categories.map((c) => c.value))).toEqual(
          new Set(cells.filter((c) => c !== '')),
        );
    });
  });

  it('leaves the date column out, with a note', () => {
    expect(reports.large!.columns.date).toBeUndefined();
    expect(reports.large!.notes.join(' ')).toMatch(/time columns.*date/);
  });
});

describe('drift against a profile', () => {
  let exactProfile: string;
  let sketchProfile: DataProfile;
  let sketchPath: string;
  const large = () => files('large');

  beforeAll(async () => {
    const { reference } = await large();
    exactProfile = join(dir, 'exact.json');
    writeFileSync(exactProfile, JSON.stringify(await buildProfile(reference)));
    // valueLimit 0: every numeric column keeps a quantile sketch instead of its values.
    sketchProfile = await buildProfile(reference, { valueLimit: 0 });
    sketchPath = join(dir, 'sketch.json');
    writeFileSync(sketchPath, JSON.stringify(sketchProfile));
  });

  it('with exact value counts gives the raw-data scores exactly', async () => {
    const report = await computeDrift({
      reference: exactProfile,
      current: (await large()).current,
    });
    expect(report.reference.kind).toBe('profile');
    expect(report.approximate).toBe(false);
    for (const [name, column] of Object.entries(reports.large!.columns)) {
      expect(report.columns[name]!.method).toBe(column.method);
      expectClose(report.columns[name]!.score, column.score!, 1e-12);
      expectClose(report.columns[name]!.psi, column.psi!, 1e-12);
    }
  });

  it('with quantile sketches stays within the stated bound (and 0.01) of the raw values', async () => {
    const { current } = await large();
    const want = EXPECTED.scenarios.large!.columns;
    const report = await computeDrift({ reference: sketchPath, current });
    expect(report.approximate).toBe(true);
    expect(report.notes.join(' ')).toMatch(/Approximate/);
    for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      const column = report.columns[name]!;
      expect(column.approximate).toBe(true);
      // The bound carries a range/n term, loose for 1,096 rows; the error itself is far smaller.
      const bound = column.error_bound!;
      expectClose(column.score, want[name]!.wasserstein_normed!, bound.wasserstein_normed!);
      expectClose(column.score, want[name]!.wasserstein_normed!, 0.01);
      // PSI reads the exact bin shares the profile stores: exact even with a sketch.
      expectClose(column.psi, want[name]!.psi, 1e-9);
    }
    // KS: the same sketches against the small current year, statistic within its bound.
    const ks = await computeDrift({
      reference: sketchPath,
      current,
      config: weatherConfig({ method: 'ks' }),
    });
    for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      const column = ks.columns[name]!;
      expect(column.method).toBe('ks');
      expect(column.error_bound!.ks_statistic).toBeLessThan(0.01);
      expectClose(column.statistic, want[name]!.ks_statistic!, column.error_bound!.ks_statistic);
      expectClose(column.statistic, want[name]!.ks_statistic!, 0.01);
    }
  });

  it('reads a version-1 profile (p1 … p99 only) as a coarse sketch, within its bound', async () => {
    const { reference, current } = await large();
    const v2 = await buildProfile(reference);
    const v1 = {
      ...v2,
      profile_version: 1,
      columns: v2.columns.map((c) =>
        c.kind === 'numeric'
          ? { ...c, values: undefined, sketch: undefined, distinct: undefined }
          : c,
      ),
    };
    const path = join(dir, 'v1.json');
    writeFileSync(path, JSON.stringify(v1));
    const report = await computeDrift({ reference: path, current });
    const want = EXPECTED.scenarios.large!.columns;
    for (const name of ['precipitation', 'temp_max', 'temp_min', 'wind']) {
      const column = report.columns[name]!;
      expect(column.approximate).toBe(true);
      expectClose(
        column.score,
        want[name]!.wasserstein_normed!,
        column.error_bound!.wasserstein_normed!,
      );
    }
  });

  it('keeps sketch quantiles equal to numpy’s linear quantiles of the data', () => {
    const column = sketchProfile.columns.find((c) => c.name === 'temp_max') as NumericColumnProfile;
    expect(column.values).toBeNull();
    expect(column.sketch!.levels).toHaveLength(1181);
    expect(column.sketch!.quantiles[0]).toBe(column.min);
    expect(column.sketch!.quantiles.at(-1)).toBe(column.max);
    // The PSI edges the sketch reads equal the profile's deciles and scipy's.
    const edges = (EXPECTED.scenarios.large!.columns.temp_max as unknown as { psi_edges: number[] })
      .psi_edges;
    column.deciles!.slice(1, 10).forEach((e, i) => expectClose(e, edges[i]!, 1e-9));
    const cdf = sketchCdf(column.sketch!.levels, column.sketch!.quantiles);
    expect(compareCdfs(cdf, cdf).ks).toBe(0);
  });
});
