import type { Command } from 'commander';
import { contractToYaml, inferContract } from '../core/data/inferContract.js';
import { writeReport } from './reportFiles.js';

/** `modelship schema infer <data> [-o <file>]` */
export function registerSchema(program: Command, _setExit: (code: number) => void): void {
  const schema = program.command('schema').description('work with data contracts');
  schema
    .command('infer')
    .description('write a starting data contract from a data file')
    .argument('<data>', 'data file or glob')
    .option('-o, --output <file>', 'write the contract here instead of printing it')
    .action(async (data: string, options: { output?: string }) => {
      const yaml = contractToYaml(await inferContract(data), data);
      if (options.output) {
        writeReport(options.output, yaml);
        process.stderr.write(`wrote ${options.output}\n`);
      } else {
        process.stdout.write(yaml);
      }
    });
}
