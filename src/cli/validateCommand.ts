import type { Command } from 'commander';
import { loadDataContract } from '../core/config/dataContract.js';
import { validateData } from '../core/data/validate.js';
import { validationMarkdown } from '../core/report/validationMarkdown.js';
import { validationText } from '../core/report/validationText.js';
import { positiveIntegerOption } from './numberOptions.js';
import { checkOutputFiles, writeJson, writeReport } from './reportFiles.js';

/** The most example rows kept per failed check. */
export const MAX_EXAMPLES = 1000;

/** `modelship validate <data> --schema <schema.yml> [--json <file>] [--markdown <file>]` */
export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description(
      'check a data file (CSV, TSV, Parquet, JSON Lines, or a glob) against a data contract',
    )
    .argument('<data>', 'data file or glob, e.g. data/train.csv or "data/part-*.parquet"')
    .requiredOption('-s, --schema <file>', 'the data contract (schema.yml)')
    .option('--json <file>', 'write the JSON report here')
    .option('--markdown <file>', 'write the markdown report here')
    .option('--examples <n>', `example rows kept per failed check (1 to ${MAX_EXAMPLES})`, '5')
    .action(
      async (
        data: string,
        options: { schema: string; json?: string; markdown?: string; examples: string },
      ) => {
        const maxExamples = positiveIntegerOption('--examples', options.examples, MAX_EXAMPLES);
        checkOutputFiles(
          [
            { flag: '--json', path: options.json },
            { flag: '--markdown', path: options.markdown },
          ],
          [data, options.schema],
        );
        const { contract, file } = loadDataContract(options.schema);
        const report = await validateData(data, contract, {
          schemaFile: file,
          maxExamples,
        });
        if (options.json) writeJson(options.json, report);
        if (options.markdown) writeReport(options.markdown, validationMarkdown(report));
        process.stdout.write(`${validationText(report)}\n`);
        setExit(report.ok ? 0 : 1);
      },
    );
}
