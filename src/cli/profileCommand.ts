import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';
import { checkOutputFiles, writeJson } from '../core/report/reportFiles.js';

/** `modelship profile <data> -o <profile.json>` and `modelship profile --merge <a.json> <b.json> … -o <whole.json>` */
export function registerProfile(program: Command, setExit: (code: number) => void): void {
  program
    .command('profile')
    .description(
      'profile data for drift checks (counts, moments, quantiles, category counts), or merge profiles of shards into the profile of the whole',
    )
    .argument('<inputs...>', 'a data file or glob; with --merge, the profiles of the shards')
    .requiredOption('-o, --out <file>', 'where to write the profile (JSON)')
    .option('-s, --schema <file>', 'data contract: its column types decide numeric or categorical')
    .option('-c, --config <file>', 'modelship.yml: data.schema, and the model features for --model')
    .option(
      '--model <onnx>',
      'also profile the model’s scores on the data (prediction drift reference)',
    )
    .option('--merge', 'merge profiles of shards (row partitions of one table) into one')
    .action(
      async (
        inputs: string[],
        options: { out: string; schema?: string; config?: string; model?: string; merge?: boolean },
      ) => {
        checkOutputFiles(
          [{ flag: '--out', path: options.out }],
          [...inputs, options.schema, options.config, options.model],
        );
        if (options.merge) {
          const { readProfile } = await import('../core/data/profileFile.js');
          const { mergeProfiles } = await import('../core/data/profileMerge.js');
          const profile = mergeProfiles(inputs.map(readProfile), { names: inputs });
          writeJson(options.out, profile);
          process.stdout.write(
            `merged ${inputs.length} profiles: ${profile.rows} rows, ${profile.columns.length} columns → ${options.out}\n`,
          );
          setExit(0);
          return;
        }
        if (inputs.length !== 1)
          throw new ModelshipError(
            `profile: name one data file or glob (got ${inputs.length}); to combine profiles of shards, pass --merge.`,
          );
        const data = inputs[0]!;
        const { loadConfig } = await import('../core/config/modelshipConfig.js');
        const { loadDataContract } = await import('../core/config/dataContract.js');
        const { buildProfile } = await import('../core/data/profile.js');
        const loaded = options.config ? loadConfig(options.config) : undefined;
        const schemaFile =
          options.schema ??
          (loaded?.config.data.schema ? loaded.resolve(loaded.config.data.schema) : undefined);
        const contract = schemaFile ? loadDataContract(schemaFile).contract : undefined;
        const profile = await buildProfile(data, contract ? { contract } : {});
        if (options.model) {
          if (!loaded)
            throw new ModelshipError(
              `${options.model}: profiling scores needs the model's features; pass --config <modelship.yml> with --model.`,
            );
          const { predictionProfile } = await import('../core/drift/modelDrift.js');
          profile.prediction = await predictionProfile(loaded, options.model, data);
        }
        writeJson(options.out, profile);
        const numeric = profile.columns.filter((c) => c.kind === 'numeric').length;
        process.stdout.write(
          `profiled ${data}: ${profile.rows} rows, ${profile.columns.length} columns (${numeric} numeric) → ${options.out}\n`,
        );
        setExit(0);
      },
    );
}
