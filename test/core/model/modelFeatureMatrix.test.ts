import { describe, expect, it } from 'vitest';
import type { Feature } from '../../../src/core/config/modelshipConfig.js';
import {
  buildFeatureMatrix,
  featureColumns,
  featureNames,
  featureWidth,
} from '../../../src/core/model/featureMatrix.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';

const CHECKING = ['<0', '0<=X<200', '>=200', 'no checking'];
const FEATURES: Feature[] = [
  'duration',
  { column: 'checking_status', one_hot: CHECKING },
  { column: 'own_telephone', map: { yes: 1, none: 0 } },
  'age',
];

const errorOf = modelshipErrorOf;

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

  it('counts a numeric column written as an object as one input', () => {
    const features: Feature[] = [{ column: 'income', missing: 0 }, 'age'];
    expect(featureNames(features)).toEqual(['income', 'age']);
    expect(featureWidth(features)).toBe(2);
    expect(featureColumns(features)).toEqual(['income', 'age']);
    expect(Array.from(buildFeatureMatrix({ income: ['', '7'], age: [1, 2] }, 2, features))).toEqual(
      [0, 1, 7, 2],
    );
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
      'eval.csv row 17: checking_status "maybe" is not one of the 4 one_hot categories in modelship.yml (<0, 0<=X<200, >=200, no checking); add it to the one_hot list, or set unknown: zeros on feature checking_status in modelship.yml.',
    );
  });

  it('names an unknown map key', () => {
    const columns = { duration: [1], checking_status: ['<0'], own_telephone: ['maybe'], age: [1] };
    expect(errorOf(() => buildFeatureMatrix(columns, 1, FEATURES))).toBe(
      'data row 1: own_telephone "maybe" is not a key of its map in modelship.yml (yes, none); add it to the map, or set unknown: <number> on feature own_telephone in modelship.yml.',
    );
  });

  it('leaves an unknown one_hot value at zeros and gives an unknown map key its number', () => {
    const features: Feature[] = [
      'duration',
      { column: 'checking_status', one_hot: CHECKING, unknown: 'zeros' },
      { column: 'own_telephone', map: { yes: 1, none: 0 }, unknown: -1 },
      'age',
    ];
    const columns = {
      duration: [1, 2],
      checking_status: ['maybe', '<0'],
      own_telephone: ['maybe', 'none'],
      age: [1, 2],
    };
    expect(Array.from(buildFeatureMatrix(columns, 2, features))).toEqual(
      [
        [1, 0, 0, 0, 0, -1, 1],
        [2, 1, 0, 0, 0, 0, 2],
      ].flat(),
    );
  });

  it('keeps unknown: error where another feature has unknown: zeros', () => {
    const features: Feature[] = [
      { column: 'a', one_hot: ['x'], unknown: 'zeros' },
      { column: 'b', one_hot: ['x'] },
    ];
    expect(errorOf(() => buildFeatureMatrix({ a: ['y'], b: ['y'] }, 1, features))).toBe(
      'data row 1: b "y" is not one of the 1 one_hot categories in modelship.yml (x); add it to the one_hot list, or set unknown: zeros on feature b in modelship.yml.',
    );
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

  it('names missing values in every kind of feature, with the setting that fills them', () => {
    const base = { duration: [1], checking_status: ['<0'], own_telephone: ['yes'], age: [1] };
    const cases: [string, unknown, string][] = [
      ['duration', null, '<number>'],
      ['duration', '', '<number>'],
      ['duration', NaN, '<number>'],
      ['age', undefined, '<number>'],
      ['checking_status', null, 'zeros'],
      ['own_telephone', '  ', '<number>'],
    ];
    for (const [column, value, fill] of cases) {
      expect(
        errorOf(() =>
          buildFeatureMatrix({ ...base, [column]: [value] }, 1, FEATURES, { source: 'f.csv' }),
        ),
      ).toBe(
        `f.csv row 1: ${column} is missing; fill it in the data, or set missing: ${fill} on feature ${column} in modelship.yml.`,
      );
    }
  });

  it('fills missing values per feature: a number, or zeros for one_hot', () => {
    const features: Feature[] = [
      { column: 'duration', missing: -1 },
      { column: 'checking_status', one_hot: CHECKING, missing: 'zeros' },
      { column: 'own_telephone', map: { yes: 1, none: 0 }, missing: 0.5 },
      { column: 'age', missing: 40 },
    ];
    const columns = {
      duration: [null, 3],
      checking_status: [null, '>=200'],
      own_telephone: [undefined, 'yes'],
      age: ['nan', ' '],
    };
    expect(Array.from(buildFeatureMatrix(columns, 2, features))).toEqual(
      [
        [-1, 0, 0, 0, 0, 0.5, 40],
        [3, 0, 0, 1, 0, 1, 40],
      ].flat(),
    );
  });

  it('fills only the features that say so: the others still stop at a blank', () => {
    const features: Feature[] = [{ column: 'a', missing: 0 }, 'b'];
    expect(
      errorOf(() =>
        buildFeatureMatrix({ a: [null, null], b: [1, ''] }, 2, features, { rowOffset: 9 }),
      ),
    ).toBe(
      'data row 11: b is missing; fill it in the data, or set missing: <number> on feature b in modelship.yml.',
    );
  });

  it('refuses settings that do not fit the encoding, as modelship.yml validation does', () => {
    const bad: [Feature, string][] = [
      [
        { column: 'c', one_hot: ['x'], missing: 0 },
        'modelship.yml feature c: missing: 0 does not fit its encoding; it takes zeros or error.',
      ],
      [
        { column: 'c', one_hot: ['x'], unknown: 1 },
        'modelship.yml feature c: unknown: 1 does not fit its encoding; it takes zeros or error.',
      ],
      [
        { column: 'm', map: { x: 1 }, unknown: 'zeros' },
        'modelship.yml feature m: unknown: "zeros" does not fit its encoding; it takes a number or error.',
      ],
      [
        { column: 'n', missing: 'zeros' },
        'modelship.yml feature n: missing: "zeros" does not fit its encoding; it takes a number or error.',
      ],
      [
        { column: 'n', unknown: 0 },
        'modelship.yml feature n: unknown: 0 does not fit its encoding; it takes no unknown setting without one_hot or map.',
      ],
    ];
    for (const [feature, message] of bad) {
      expect(errorOf(() => buildFeatureMatrix({ c: [], m: [], n: [] }, 0, [feature]))).toBe(
        message,
      );
    }
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
