import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import type { LoadedConfig } from '../core/config/modelshipConfig.js';
import { errorsOf, type ValidationReport } from '../core/data/validationReport.js';
import { ModelshipError } from '../core/errors.js';
import { positiveIntegerOption } from './numberOptions.js';
import { checkOutputFiles, writeJson, writeReport } from '../core/report/reportFiles.js';

/** The most example rows kept per failed check. */
export const MAX_EXAMPLES = 1000;

/** The config validate reads when --config is not given and it exists. */
const DEFAULT_CONFIG = 'modelship.yml';

interface ValidateOptions {
  schema?: string;
  config?: string;
  json?: string;
  markdown?: string;
  examples: string;
}

/**
 * `modelship validate [data] [--schema <schema.yml>] [--config <modelship.yml>] [--json <file>]
 * [--markdown <file>]`: with data and --schema, the config is not read at all (as always).
 */
export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command('validate')
    .description(
      'check a data file (CSV, TSV, Parquet, JSON Lines, or a glob) against a data contract',
    )
    .argument('[data]', 'data file or glob, e.g. data/train.csv or "data/part-*.parquet"')
    .option('-s, --schema <file>', 'the data contract (default: data.schema of the config)')
    .option(
      '-c, --config <file>',
      `the config that names the contract and data when --schema or data is not given (default: ./${DEFAULT_CONFIG} when present)`,
    )
    .option('--json <file>', 'write the JSON report here (an array when several files are checked)')
    .option('--markdown <file>', 'write the markdown report here')
    .option('--examples <n>', `example rows kept per failed check (1 to ${MAX_EXAMPLES})`, '5')
    .addHelpText(
      'after',
      `
Without --schema the contract is data.schema of the config; without data, the config's data.train,
data.eval and data.current (those it sets) are each checked, and the exit code is 1 when any
fails. data.current may lack the target column (current data often has no label yet). Paths in
the config are relative to it.`,
    )
    .action(async (data: string | undefined, options: ValidateOptions, command: Command) => {
      const maxExamples = positiveIntegerOption('--examples', options.examples, MAX_EXAMPLES);
      // Loaded here, not above: `modelship --help` and the other commands never load DuckDB.
      const { loadConfig } = await import('../core/config/modelshipConfig.js');
      let loaded: LoadedConfig | undefined;
      if (options.config !== undefined) loaded = loadConfig(options.config);
      else if ((options.schema === undefined || data === undefined) && existsSync(DEFAULT_CONFIG))
        loaded = loadConfig(DEFAULT_CONFIG);
      const configName = options.config ?? DEFAULT_CONFIG;
      let schema = options.schema;
      if (schema === undefined) {
        if (!loaded) {
          command.error("error: required option '-s, --schema <file>' not specified", {
            code: 'commander.missingMandatoryOptionValue',
          });
        }
        if (!loaded.config.data.schema) {
          throw new ModelshipError(
            `${configName}: has no data.schema; name the data contract there or pass --schema <file>.`,
          );
        }
        schema = shown(loaded.resolve(loaded.config.data.schema));
      }
      let files: string[];
      /** data.current of the config, which may lack model.target. */
      let current: string | undefined;
      if (data !== undefined) files = [data];
      else {
        if (!loaded) {
          command.error("error: missing required argument 'data'", {
            code: 'commander.missingArgument',
          });
        }
        const { train, eval: evalData, current: currentData } = loaded.config.data;
        current = currentData ? shown(loaded.resolve(currentData)) : undefined;
        const named = [train, evalData, currentData].flatMap((f) =>
          f ? [shown(loaded.resolve(f))] : [],
        );
        files = [...new Set(named)];
        if (files.length === 0) {
          throw new ModelshipError(
            `${configName}: sets none of data.train, data.eval and data.current; pass the data file to validate.`,
          );
        }
      }
      checkOutputFiles(
        [
          { flag: '--json', path: options.json },
          { flag: '--markdown', path: options.markdown },
        ],
        [...files, schema],
      );
      const { loadDataContract } = await import('../core/config/dataContract.js');
      const { validateData } = await import('../core/data/validate.js');
      const { validationMarkdown } = await import('../core/report/validationMarkdown.js');
      const { validationText } = await import('../core/report/validationText.js');
      const { contract, file } = loadDataContract(schema);
      const reports = [];
      const notes: string[] = [];
      for (const path of files) {
        const report = await validateData(path, contract, { schemaFile: file, maxExamples });
        const target = loaded?.config.model.target;
        if (path === current && target !== undefined && excuseMissingTarget(report, target))
          notes.push(
            `note: ${path} (data.current) has no ${target} column (model.target); its other columns were checked.`,
          );
        reports.push(report);
      }
      if (options.json) writeJson(options.json, reports.length === 1 ? reports[0] : reports);
      if (options.markdown)
        writeReport(options.markdown, reports.map((r) => validationMarkdown(r)).join('\n'));
      for (const report of reports) process.stdout.write(`${validationText(report)}\n`);
      for (const note of notes) process.stdout.write(`${note}\n`);
      setExit(reports.every((r) => r.ok) ? 0 : 1);
    });
}

/**
 * Current data is often not labelled yet: a missing target column is no failure there. Drops that
 * violation from the report and says whether there was one.
 */
function excuseMissingTarget(report: ValidationReport, target: string): boolean {
  const before = report.violations.length;
  report.violations = report.violations.filter(
    (v) => !(v.check === 'missing_column' && v.column === target),
  );
  report.ok = errorsOf(report).length === 0;
  return report.violations.length < before;
}

/** A config-resolved path as the user would write it: relative to here when it is below here. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
