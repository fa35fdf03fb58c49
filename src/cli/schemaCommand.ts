import type { Command } from 'commander';
import { MAX_CATEGORIES } from '../core/data/categoryLimit.js';
import { writeReport } from '../core/report/reportFiles.js';

/** `modelship schema infer <data> [-o <file>] [--timestamp-bounds]` */
export function registerSchema(program: Command, _setExit: (code: number) => void): void {
  const schema = program.command('schema').description('work with data contracts');
  schema
    .command('infer')
    .description('write a starting data contract from a data file')
    .argument('<data>', 'data file or glob')
    .option('-o, --output <file>', 'write the contract here instead of printing it')
    .option(
      '--timestamp-bounds',
      "write the observed first and last timestamp as min/max (off: a training split's dates fail all later data)",
    )
    .addHelpText(
      'after',
      `
Types: integer, number, timestamp (dates too), boolean only for true/false in any case; other
text is a string, with an \`in\` list when it has at most ${MAX_CATEGORIES} distinct values, so YES/NO
stays YES/NO (and gives /predict its negative label) and 0/1 stays an integer. Numeric columns get
their observed min/max; timestamps get none unless --timestamp-bounds.`,
    )
    .action(async (data: string, options: { output?: string; timestampBounds?: boolean }) => {
      const { contractToYaml, inferContract } = await import('../core/data/inferContract.js');
      const contract = await inferContract(data, {
        timestampBounds: options.timestampBounds === true,
      });
      const yaml = contractToYaml(contract, data);
      if (options.output) {
        writeReport(options.output, yaml);
        process.stderr.write(`wrote ${options.output}\n`);
      } else {
        process.stdout.write(yaml);
      }
    });
}
