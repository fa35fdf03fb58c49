import { describe, expect, it } from 'vitest';
import { alignClasses, positiveColumn } from '../../../src/core/model/classOrder.js';
import { buildFeatureMatrix } from '../../../src/core/model/featureMatrix.js';
import { resolveFeatures, type ResolvedFeature } from '../../../src/core/model/modelFeatures.js';
import type { ModelInput } from '../../../src/core/model/modelInputs.js';
import { TextCodes } from '../../../src/core/model/textCodes.js';
import { modelshipErrorOf } from '../../support/modelshipErrorOf.js';

const columnModel = (inputs: ModelInput[]) => ({
  path: 'model.onnx',
  layout: 'columns' as const,
  inputs,
});
const PIPELINE = columnModel([
  { name: 'age', type: 'float32', shape: ['N', 1] },
  { name: 'contract', type: 'string', shape: ['N', 1] },
  { name: 'children', type: 'int64', shape: ['N'] },
]);

describe('resolveFeatures', () => {
  it("reads a column-named model's inputs when model.features is left out", () => {
    expect(resolveFeatures('modelship.yml', undefined, PIPELINE)).toEqual([
      'age',
      { column: 'contract', text: true },
      'children',
    ]);
  });

  it('takes the settings of the columns modelship.yml lists, in the order of the inputs', () => {
    expect(
      resolveFeatures(
        'modelship.yml',
        [{ column: 'contract', missing: 'unknown' }, 'children', { column: 'age', missing: 0 }],
        PIPELINE,
      ),
    ).toEqual([
      { column: 'age', missing: 0 },
      { column: 'contract', text: true, missing: 'unknown' },
      'children',
    ]);
  });

  it('refuses a features list that is not exactly the inputs, or encodes what the model encodes', () => {
    expect(modelshipErrorOf(() => resolveFeatures('m.yml', ['age', 'tenure'], PIPELINE))).toBe(
      'm.yml: model.features lists age, tenure, but model.onnx takes one input per column: age, contract, children; list exactly those columns in model.features, or leave it out.',
    );
    const oneHot = [{ column: 'contract', one_hot: ['a', 'b'] }, 'age', 'children'];
    expect(modelshipErrorOf(() => resolveFeatures('m.yml', oneHot, PIPELINE))).toBe(
      'm.yml: feature contract is one_hot encoded, but model.onnx takes contract as one input of its own; list it as a plain column (the model encodes it).',
    );
    const mapped = [{ column: 'contract', map: { a: 1 } }, 'age', 'children'];
    expect(modelshipErrorOf(() => resolveFeatures('m.yml', mapped, PIPELINE))).toBe(
      'm.yml: feature contract has a map, but model.onnx takes contract as text; list it as a plain column.',
    );
  });

  it('needs model.features for a [batch, F] model, except one named [N, 1] column', () => {
    const matrix = (shape: (number | string)[]) => ({
      path: 'model.onnx',
      layout: 'matrix' as const,
      inputs: [{ name: 'float_input', type: 'float32' as const, shape }],
    });
    expect(modelshipErrorOf(() => resolveFeatures('m.yml', undefined, matrix(['N', 4])))).toBe(
      'm.yml: model.features is not set, and model.onnx takes one [N, 4] input named float_input, not one input per data column; list in model.features how a row becomes that input.',
    );
    expect(resolveFeatures('m.yml', undefined, matrix(['N', 1]))).toEqual(['float_input']);
    expect(resolveFeatures('m.yml', ['a', 'b'], matrix(['N', 2]))).toEqual(['a', 'b']);
  });
});

describe('text features', () => {
  const features: ResolvedFeature[] = [{ column: 'contract', text: true }, 'age'];

  it('keeps each distinct text once and puts its code in the matrix', () => {
    const text = new TextCodes();
    const matrix = buildFeatureMatrix(
      { contract: ['yearly', 'monthly', 'yearly', 7], age: [30, 40, 50, 60] },
      4,
      features,
      { text },
    );
    expect(text.values).toEqual(['yearly', 'monthly', '7']);
    expect(Array.from(matrix)).toEqual([0, 30, 1, 40, 0, 50, 2, 60]);
  });

  it('stops at a blank text unless missing gives the text to feed', () => {
    const columns = { contract: ['yearly', null], age: [30, 40] };
    expect(
      modelshipErrorOf(() =>
        buildFeatureMatrix(columns, 2, features, { text: new TextCodes(), source: 'd.csv' }),
      ),
    ).toBe(
      'd.csv row 2: contract is missing; fill it in the data, or set missing: <text> on feature contract in modelship.yml.',
    );
    const text = new TextCodes();
    const filled: ResolvedFeature[] = [{ column: 'contract', text: true, missing: '' }, 'age'];
    buildFeatureMatrix(columns, 2, filled, { text });
    expect(text.values).toEqual(['yearly', '']);
  });

  it('refuses a text missing value on a numeric input', () => {
    expect(
      modelshipErrorOf(() =>
        buildFeatureMatrix({ age: [null] }, 1, [{ column: 'age', missing: 'n/a' }]),
      ),
    ).toBe(
      'modelship.yml feature age: missing: "n/a" is text, but age is a numeric input; set missing to a number or error.',
    );
  });
});

describe('class order', () => {
  it("reads P(positive) from the column the model's classes name", () => {
    expect(positiveColumn('m.onnx', ['bad', 'good'], 'bad')).toBe(0);
    expect(positiveColumn('m.onnx', ['bad', 'good'], 'good')).toBe(1);
    expect(positiveColumn('m.onnx', undefined, 'bad')).toBe(1);
    // Encoded labels 0/1: column 1 is the class trained as 1.
    expect(positiveColumn('m.onnx', ['0', '1'], 'yes')).toBe(1);
    expect(modelshipErrorOf(() => positiveColumn('m.onnx', ['no', 'yes'], 'bad'))).toBe(
      "m.onnx: the model's classes are no, yes, but model.positive is bad; set model.positive in modelship.yml to the class the model scores as positive.",
    );
  });

  it("reorders multiclass columns to the labels' order", () => {
    const proba = Float64Array.from([0.1, 0.2, 0.7, 0.5, 0.3, 0.2]);
    expect(Array.from(alignClasses('m', proba, ['c', 'a', 'b'], ['a', 'b', 'c']))).toEqual([
      0.2, 0.7, 0.1, 0.3, 0.2, 0.5,
    ]);
    expect(alignClasses('m', proba, ['a', 'b', 'c'], ['a', 'b', 'c'])).toBe(proba);
    // Encoded labels 0…C-1 say nothing of the names: the columns stay in place.
    expect(alignClasses('m', proba, ['0', '1', '2'], ['x', 'y', 'z'])).toBe(proba);
    expect(modelshipErrorOf(() => alignClasses('m', proba, ['a', 'b', 'd'], ['a', 'b', 'c']))).toBe(
      "m: the model's classes are a, b, d, but the labels are a, b, c; list the model's classes in model.classes in modelship.yml, or retrain on these labels.",
    );
  });
});
