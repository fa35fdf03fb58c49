// Writes the JSON Schemas of modelship.yml and schema.yml into schemas/ (run `npm run build` first).
// test/core/config/jsonSchemas.test.ts fails when the committed files differ from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { jsonSchemas } from '../lib/core/config/jsonSchemas.js';

mkdirSync('schemas', { recursive: true });
for (const [file, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(`schemas/${file}`, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/${file}`);
}
