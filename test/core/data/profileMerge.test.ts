// Profiles of shards merge into the profile of the whole: exact where the rule says exact
// (counts, extremes, pooled moments, value and category counts), within the stored bound where a
// quantile sketch is involved. Shards: Seattle weather by year.
import { beforeAll, describe, expect, it } from 'vitest';
import { compareCdfs, sketchCdf, stepCdf } from '../../../src/core/data/cdf.js';
import {
  buildProfile,
  type CategoricalColumnProfile,
  type DataProfile,
  type NumericColumnProfile,
} from '../../../src/core/data/profile.js';
import { mergeProfiles } from '../../../src/core/data/profileMerge.js';
import { seattleYearsIn } from '../../fixtures/data/seattleYears.js';
import { useTempDir } from '../../support/tempDir.js';

const YEARS = [2012, 2013, 2014, 2015];
const dir = useTempDir();

const writeYears = (years: number[]) => seattleYearsIn(dir, years);

const numeric = (p: DataProfile, name: string) =>
  p.columns.find((c) => c.name === name) as NumericColumnProfile;
const categorical = (p: DataProfile, name: string) =>
  p.columns.find((c) => c.name === name) as CategoricalColumnProfile;
const NUMERIC = ['precipitation', 'temp_max', 'temp_min', 'wind'];

let whole: DataProfile;
let shards: DataProfile[];

beforeAll(async () => {
  whole = await buildProfile(writeYears(YEARS));
  shards = await Promise.all(YEARS.map((y) => buildProfile(writeYears([y]))));
});

describe('mergeProfiles, exact shards (value counts)', () => {
  let merged: DataProfile;
  beforeAll(() => {
    merged = mergeProfiles(shards);
  });

  it('adds rows, counts and nulls and keeps the columns in order', () => {
    expect(merged.rows).toBe(whole.rows);
    expect(merged.shards).toBe(4);
    expect(merged.columns.map((c) => [c.name, c.kind, c.count, c.nulls])).toEqual(
      whole.columns.map((c) => [c.name, c.kind, c.count, c.nulls]),
    );
  });

  it('equals the whole’s numeric statistics: extremes, pooled moments, values, quantiles', () => {
    for (const name of NUMERIC) {
      const m = numeric(merged, name);
      const w = numeric(whole, name);
      expect(m.values).toEqual(w.values);
      expect([m.min, m.max, m.distinct, m.invalid]).toEqual([w.min, w.max, w.distinct, w.invalid]);
      expect(m.mean!).toBeCloseTo(w.mean!, 12);
      expect(m.std!).toBeCloseTo(w.std!, 12);
      expect(m.quantiles).toEqual(w.quantiles);
      expect(m.deciles).toEqual(w.deciles);
    }
  });

  it('adds category counts exactly and takes the time range’s extremes', () => {
    expect(categorical(merged, 'weather').categories).toEqual(
      categorical(whole, 'weather').categories,
    );
    expect(merged.columns.find((c) => c.name === 'date')).toEqual(
      whole.columns.find((c) => c.name === 'date'),
    );
  });

  it('refuses shards of different tables, naming the file', () => {
    const other = { ...shards[1]!, columns: shards[1]!.columns.slice(1) };
    expect(() => mergeProfiles([shards[0]!, other], { names: ['a.json', 'b.json'] })).toThrow(
      /^b\.json: its columns/,
    );
  });
});

describe('mergeProfiles, sketched shards', () => {
  let merged: DataProfile;
  let sketchedWhole: DataProfile;
  beforeAll(async () => {
    const sketched = await Promise.all(
      YEARS.map((y) => buildProfile(writeYears([y]), { valueLimit: 0 })),
    );
    merged = mergeProfiles(sketched);
    sketchedWhole = await buildProfile(writeYears(YEARS), { valueLimit: 0 });
  });

  it('pools mean and std exactly and keeps the extremes', () => {
    for (const name of NUMERIC) {
      const m = numeric(merged, name);
      const w = numeric(whole, name);
      expect(m.mean!).toBeCloseTo(w.mean!, 10);
      expect(m.std!).toBeCloseTo(w.std!, 10);
      expect([m.min, m.max]).toEqual([w.min, w.max]);
      expect(m.sketch!.exact).toBe(false);
    }
  });

  it('reads a CDF within the stored bounds of the whole’s exact one (KS and Wasserstein)', () => {
    for (const name of NUMERIC) {
      const m = numeric(merged, name);
      const w = numeric(whole, name);
      const truth = stepCdf(
        w.values!.map((v) => v.value),
        w.values!.map((v) => v.count),
      );
      const { ks, wasserstein } = compareCdfs(
        sketchCdf(m.sketch!.levels, m.sketch!.quantiles),
        truth,
      );
      expect(ks, name).toBeLessThanOrEqual(m.sketch!.cdf_error);
      expect(wasserstein, name).toBeLessThanOrEqual(m.sketch!.w_error);
      expect(ks).toBeLessThan(0.01);
      expect(wasserstein / w.std!).toBeLessThan(0.01);
      // The merged sketch is as close to the truth as a sketch of the whole data.
      const direct = numeric(sketchedWhole, name).sketch!;
      expect(compareCdfs(sketchCdf(direct.levels, direct.quantiles), truth).ks).toBeLessThanOrEqual(
        direct.cdf_error,
      );
    }
  });

  it('puts each merged decile where the true CDF is within cdf_error of its level', () => {
    for (const name of NUMERIC) {
      const m = numeric(merged, name);
      const values = numeric(whole, name).values!;
      const n = values.reduce((s, v) => s + v.count, 0);
      const share = (keep: (x: number) => boolean) =>
        values.filter((v) => keep(v.value)).reduce((s, v) => s + v.count, 0) / n;
      const err = m.sketch!.cdf_error;
      m.deciles!.slice(1, 10).forEach((edge, i) => {
        const level = (i + 1) / 10;
        expect(
          share((x) => x < edge),
          name,
        ).toBeLessThanOrEqual(level + err);
        expect(
          share((x) => x <= edge),
          name,
        ).toBeGreaterThanOrEqual(level - err);
      });
    }
  });
});

describe('mergeProfiles, categories beyond the top list', () => {
  it('moves overflow to `other` and keeps every row counted', async () => {
    const small = await Promise.all(
      YEARS.map((y) => buildProfile(writeYears([y]), { topCategories: 2 })),
    );
    const merged = mergeProfiles(small);
    const weather = categorical(merged, 'weather');
    const total = weather.categories.reduce((s, c) => s + c.count, 0) + weather.other.count;
    expect(total).toBe(categorical(whole, 'weather').count);
    expect(weather.categories.length).toBeLessThanOrEqual(1000);
    expect(weather.other.count).toBeGreaterThan(0);
  });
});
