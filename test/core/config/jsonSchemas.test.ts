import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { jsonSchemas } from '../../../src/core/config/jsonSchemas.js';

describe('JSON Schemas in schemas/', () => {
  it.each(Object.entries(jsonSchemas()))(
    '%s matches the zod schema (run npm run schemas)',
    (file, schema) => {
      const committed: unknown = JSON.parse(readFileSync(`schemas/${file}`, 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    },
  );

  it('describes the contract checks and config keys editors complete', () => {
    const contract = jsonSchemas()['data-contract.schema.json'] as {
      properties: { columns: { additionalProperties: { properties: Record<string, unknown> } } };
    };
    expect(Object.keys(contract.properties.columns.additionalProperties.properties).sort()).toEqual(
      ['description', 'in', 'max', 'min', 'mostly', 'nullable', 'pattern', 'type', 'unique'].sort(),
    );
    const config = jsonSchemas()['modelship.schema.json'] as {
      properties: Record<string, unknown>;
    };
    expect(Object.keys(config.properties)).toEqual(
      expect.arrayContaining(['model', 'data', 'train', 'metrics', 'fairness', 'drift', 'card']),
    );
  });
});

describe('the JSON Schemas accept what the validators accept', () => {
  it.each([
    ['modelship.schema.json', 'examples/credit-risk/modelship.yml'],
    ['data-contract.schema.json', 'examples/credit-risk/data/schema.yml'],
  ])('%s validates %s', (schemaFile, example) => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(
      JSON.parse(readFileSync(`schemas/${schemaFile}`, 'utf8')) as object,
    );
    const ok = validate(parse(readFileSync(example, 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('takes per-feature missing and unknown settings, and only their values', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(
      JSON.parse(readFileSync('schemas/modelship.schema.json', 'utf8')) as object,
    );
    const config = (feature: object) => ({
      model: { name: 'm', task: 'regression', path: 'm.onnx', target: 'y', features: [feature] },
    });
    expect(validate(config({ column: 'income', missing: 0 }))).toBe(true);
    expect(
      validate(config({ column: 'c', one_hot: ['a'], missing: 'zeros', unknown: 'zeros' })),
    ).toBe(true);
    expect(validate(config({ column: 'p', map: { yes: 1 }, missing: 'error', unknown: -1 }))).toBe(
      true,
    );
    // A text fills a string input of a column-named model; only the model says which it is.
    expect(validate(config({ column: 'contract', missing: 'blank' }))).toBe(true);
    expect(validate(config({ column: 'income', missing: true }))).toBe(false);
    expect(validate(config({ column: 'income', fill: 0 }))).toBe(false);
  });

  it('rejects an unknown check in a data contract, as the validator does', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(
      JSON.parse(readFileSync('schemas/data-contract.schema.json', 'utf8')) as object,
    );
    expect(validate({ columns: { age: { type: 'integer', maximum: 3 } } })).toBe(false);
  });
});
