import { describe, expect, it } from 'vitest';
import type { Feature } from '../src/core/config/modelshipConfig.js';
import { ModelshipError } from '../src/core/errors.js';
import {
  buildFeatureMatrix,
  featureColumns,
  featureNames,
  featureWidth,
} from '../src/core/model/featureMatrix.js';

const CHECKING = ['<0', '0<=X<200', '>=200', 'no checking'];
const FEATURES: Feature[] = [
  'duration',
  { column: 'checking_status', one_hot: CHECKING },
  { column: 'own_telephone', map: { yes: 1, none: 0 } },
  'age',
];

/** The error `work` throws, checked to be a ModelshipError. */
function errorOf(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(ModelshipError);
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('feature names, width and columns', () => {
  it('lists one input per numeric column, per category and per map', () => {
    expect(featureNames(FEATURES)).toEqual([
      'duration',
      'checking_status=<0',
      'checking_status=0<=X<200',
      'checking_status=>=200',
      'checking_status=no checking',
      'own_telephone',
      'age',
    ]);
    expect(featureWidth(FEATURES)).toBe(7);
  });

  it('lists each data column once, in first-use order', () => {
    const features: Feature[] = [
      'b',
      { column: 'a', one_hot: [1, 2] },
      'a',
      { column: 'b', map: { x: 1 } },
    ];
    expect(featureColumns(features)).toEqual(['b', 'a']);
    expect(featureNames(features)).toEqual(['b', 'a=1', 'a=2', 'a', 'b']);
    expect(featureWidth(features)).toBe(5);
  });
});

describe('buildFeatureMatrix', () => {
  it('lays rows out row-major: numbers, one-hot, mapped values', () => {
    const matrix = buildFeatureMatrix(
      {
        duration: [12, '48.5', 6n],
        checking_status: ['no checking', '<0', '>=200'],
        own_telephone: ['yes', 'none', 'yes'],
        age: [' 30 ', 1e3, true],
        ignored: ['x', 'y', 'z'],
      },
      3,
      FEATURES,
    );
    expect(Array.from(matrix)).toEqual(
      [
        [12, 0, 0, 0, 1, 1, 30],
        [48.5, 1, 0, 0, 0, 0, 1000],
        [6, 0, 0, 1, 0, 1, 1],
      ].flat(),
    );
  });

  it('matches categories by string form: 1 matches "1", "1" matches 1', () => {
    const features: Feature[] = [
      { column: 'n', one_hot: ['1', 2, true] },
      { column: 'm', map: { '1': 10, '2': 20 } },
    ];
    const matrix = buildFeatureMatrix({ n: [1, '2', 2n, 'true'], m: [1, '2', 2n, 1] }, 4, features);
    expect(Array.from(matrix)).toEqual(
      [
        [1, 0, 0, 10],
        [0, 1, 0, 20],
        [0, 1, 0, 20],
        [0, 0, 1, 10],
      ].flat(),
    );
  });

  it('reads typed arrays and only the first rowCount values', () => {
    const matrix = buildFeatureMatrix({ a: Float64Array.from([1.5, 2.5, 3.5]) }, 2, ['a']);
    expect(Array.from(matrix)).toEqual([1.5, 2.5]);
  });

  it('names the file, column, row and value of an unknown category', () => {
    const columns = {
      duration: [1, 2],
      checking_status: ['<0', 'maybe'],
      own_telephone: ['yes', 'yes'],
      age: [1, 2],
    };
    expect(
      errorOf(() =>
        buildFeatureMatrix(columns, 2, FEATURES, { source: 'eval.csv', rowOffset: 15 }),
      ),
    ).toBe(
      'eval.csv row 17: checking_status "maybe" is not one of the 4 one_hot categories in modelship.yml (<0, 0<=X<200, >=200, no checking); add it to the list or set unknown categories to zeros.',
    );
  });

  it('names an unknown map key', () => {
    const columns = { duration: [1], checking_status: ['<0'], own_telephone: ['maybe'], age: [1] };
    expect(errorOf(() => buildFeatureMatrix(columns, 1, FEATURES))).toBe(
      'data row 1: own_telephone "maybe" is not a key of its map in modelship.yml (yes, none); add it to the map or set unknown categories to zeros.',
    );
  });

  it('leaves unknown categories at zero when asked', () => {
    const columns = {
      duration: [1],
      checking_status: ['maybe'],
      own_telephone: ['maybe'],
      age: [1],
    };
    const matrix = buildFeatureMatrix(columns, 1, FEATURES, { unknownCategory: 'zeros' });
    expect(Array.from(matrix)).toEqual([1, 0, 0, 0, 0, 0, 1]);
  });

  it('names non-numeric text in a numeric column', () => {
    const columns = {
      duration: [1, '12 months'],
      checking_status: ['<0', '<0'],
      own_telephone: ['yes', 'yes'],
      age: [1, 2],
    };
    expect(errorOf(() => buildFeatureMatrix(columns, 2, FEATURES, { source: 'eval.csv' }))).toBe(
      'eval.csv row 2: duration "12 months" is not a number; fix the value, or encode the column with one_hot or map in modelship.yml.',
    );
    expect(errorOf(() => buildFeatureMatrix({ a: [{}] }, 1, ['a']))).toMatch(
      /^data row 1: a \{\} is not a number/,
    );
  });

  it('names missing values in every kind of feature', () => {
    const base = { duration: [1], checking_status: ['<0'], own_telephone: ['yes'], age: [1] };
    const cases: [string, unknown][] = [
      ['duration', null],
      ['duration', ''],
      ['duration', NaN],
      ['age', undefined],
      ['checking_status', null],
      ['own_telephone', '  '],
    ];
    for (const [column, value] of cases) {
      expect(
        errorOf(() =>
          buildFeatureMatrix({ ...base, [column]: [value] }, 1, FEATURES, { source: 'f.csv' }),
        ),
      ).toBe(
        `f.csv row 1: ${column} is missing; fill it in the data, or set missing values to a number.`,
      );
    }
  });

  it('fills missing values with a number; a missing one-hot value has no category', () => {
    const columns = {
      duration: [null],
      checking_status: [null],
      own_telephone: [undefined],
      age: ['nan'],
    };
    const matrix = buildFeatureMatrix(columns, 1, FEATURES, { missing: -1 });
    expect(Array.from(matrix)).toEqual([-1, 0, 0, 0, 0, -1, -1]);
  });

  it('names a missing column and a short column', () => {
    expect(
      errorOf(() => buildFeatureMatrix({ duration: [1] }, 1, FEATURES, { source: 'eval.csv' })),
    ).toBe(
      'eval.csv: has no column checking_status, which modelship.yml features use; the columns are duration.',
    );
    expect(errorOf(() => buildFeatureMatrix({ a: [1] }, 2, ['a']))).toBe(
      'data: column a has 1 values, but 2 rows were expected.',
    );
  });

  it('lays out 1M rows × 20 features', () => {
    const rows = 1_000_000;
    const numeric = Array.from({ length: 12 }, (_, j) => `x${j}`);
    const features: Feature[] = [
      ...numeric,
      { column: 'c', one_hot: ['a', 'b', 'c', 'd', 'e', 'f'] },
      { column: 'm', map: { yes: 1, no: 0 } },
      { column: 's', one_hot: ['1', '2', '3'] }, // numbers matched to string categories
    ];
    const columns: Record<string, ArrayLike<unknown>> = {};
    numeric.forEach((name, j) => {
      const values = new Array<number>(rows);
      for (let i = 0; i < rows; i++) values[i] = (i * (j + 1)) % 97;
      columns[name] = values;
    });
    const letters = ['a', 'b', 'c', 'd', 'e', 'f'];
    columns.c = Array.from({ length: rows }, (_, i) => letters[i % 6]);
    columns.m = Array.from({ length: rows }, (_, i) => (i % 3 ? 'yes' : 'no'));
    columns.s = Array.from({ length: rows }, (_, i) => (i % 3) + 1);
    const matrix = buildFeatureMatrix(columns, rows, features);
    expect(featureWidth(features)).toBe(22);
    expect(matrix.length).toBe(rows * 22);
    const last = Array.from(matrix.subarray((rows - 1) * 22));
    expect(last.slice(12)).toEqual([0, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
  });
});
