// Stand-in for `modelship validate <data> --schema <schema> --json <report>` that calls the compiled
// library directly; bench/run.mjs uses it only while lib/cli is not built. Exit codes as the CLI's.
import { writeFile } from 'node:fs/promises';
import { loadDataContract } from '../lib/core/config/dataContract.js';
import { validateData } from '../lib/core/data/validate.js';

const [data, schema, json] = process.argv.slice(2);
if (!data || !schema || !json) {
  console.error('usage: node bench/validateLib.mjs <data> <schema.yml> <report.json>');
  process.exit(2);
}
try {
  const report = await validateData(data, loadDataContract(schema).contract, {
    schemaFile: schema,
  });
  await writeFile(json, JSON.stringify(report, null, 2) + '\n');
  process.exitCode = report.ok ? 0 : 1;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
}
