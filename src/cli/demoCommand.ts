import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { loadDataContract } from '../core/config/dataContract.js';
import { loadConfig } from '../core/config/modelshipConfig.js';
import { ModelshipError } from '../core/errors.js';
import { validateData } from '../core/data/validate.js';
import { validationMarkdown } from '../core/report/validationMarkdown.js';
import { packageRoot } from './packageInfo.js';
import { writeJson, writeReport } from './reportFiles.js';

/** `modelship demo`: the pipeline on the bundled example, offline. */
export function registerDemo(program: Command, setExit: (code: number) => void): void {
  program
    .command('demo')
    .description('run the pipeline on the bundled credit-risk example, offline')
    .option('--out <dir>', 'where reports are written', '.modelship-out/demo')
    .action(async (options: { out: string }) => {
      const exampleConfig = join(packageRoot(), 'examples', 'credit-risk', 'modelship.yml');
      const loaded = loadConfig(exampleConfig);
      const schemaPath = loaded.config.data.schema;
      if (!schemaPath) throw new ModelshipError(`${exampleConfig}: data.schema is not set.`);
      const { contract, file } = loadDataContract(loaded.resolve(schemaPath));
      const say = (line: string) => process.stdout.write(`${line}\n`);
      say(
        `Modelship demo on ${relative(process.cwd(), loaded.dir) || '.'} (model ${loaded.config.model.name})`,
      );
      say('');
      say('1. validate-data: the data contract on every data file');
      let ok = true;
      for (const split of ['train', 'eval', 'current'] as const) {
        const path = loaded.config.data[split];
        if (!path) continue;
        const report = await validateData(loaded.resolve(path), contract, { schemaFile: file });
        const json = join(options.out, `validate-${split}.json`);
        writeJson(json, report);
        writeReport(join(options.out, `validate-${split}.md`), validationMarkdown(report));
        const errors = report.violations.filter((v) => v.severity === 'error').length;
        say(
          `   ${report.ok ? 'PASS' : 'FAIL'} ${split.padEnd(7)} ${String(report.rows).padStart(5)} rows, ${errors} failed checks  → ${json}`,
        );
        ok &&= report.ok;
      }
      say('');
      say(
        ok
          ? 'Demo finished: every step passed.'
          : 'Demo finished: a step failed (see the reports above).',
      );
      setExit(ok ? 0 : 1);
    });
}
