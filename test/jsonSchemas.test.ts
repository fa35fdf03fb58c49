import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../src/core/config/jsonSchemas.js';

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
