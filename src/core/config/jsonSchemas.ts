import { z } from 'zod';
import { dataContractSchema } from './dataContract.js';
import { modelshipConfigSchema } from './modelshipConfig.js';

const BASE = 'https://modelship.dev/schemas';

/** JSON Schemas of modelship.yml and schema.yml, by file name under schemas/, for editors. */
export function jsonSchemas(): Record<string, object> {
  return {
    'modelship.schema.json': toJsonSchema(
      modelshipConfigSchema,
      'modelship.schema.json',
      'Modelship configuration (modelship.yml)',
    ),
    'data-contract.schema.json': toJsonSchema(
      dataContractSchema,
      'data-contract.schema.json',
      'Modelship data contract (schema.yml)',
    ),
  };
}

function toJsonSchema(schema: z.ZodType, file: string, title: string): object {
  // Input shape: defaults make keys optional for the person writing the file.
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return { ...json, $id: `${BASE}/${file}`, title };
}
