import type { Command } from 'commander';
import { checkOutputFiles, writeJson, writeReport } from '../core/report/reportFiles.js';

/** `modelship drift --reference <data|profile.json> --current <data> [--config] [--model] [--json] [--markdown] [--fail-on-drift]` */
export function registerDrift(program: Command, setExit: (code: number) => void): void {
  program
    .command('drift')
    .description(
      'compare current data with reference data or its profile: a test per column (Evidently’s defaults), PSI, dataset drift',
    )
    .requiredOption(
      '-r, --reference <data|profile.json>',
      'reference data (file or glob) or its profile.json',
    )
    .requiredOption('--current <data>', 'current data: file, glob, or URL DuckDB reads')
    .option('-c, --config <file>', 'modelship.yml: drift.method/share/columns, data.schema, model')
    .option('--model <onnx>', 'also compare the model’s score distribution (needs --config)')
    .option(
      '--reference-metrics <file>',
      'metrics.json of the release: performance now against then',
    )
    .option('--json <file>', 'write the JSON report here')
    .option('--markdown <file>', 'write the markdown report here')
    .option('--fail-on-drift', 'exit 1 when the dataset drifts')
    .action(
      async (options: {
        reference: string;
        current: string;
        config?: string;
        model?: string;
        referenceMetrics?: string;
        json?: string;
        markdown?: string;
        failOnDrift?: boolean;
      }) => {
        const { computeDrift, driftMarkdown, driftText } = await import('../core/drift/index.js');
        // The config's reader (zod, yaml) loads only with --config: 170 module files otherwise.
        const loaded = options.config
          ? (await import('../core/config/modelshipConfig.js')).loadConfig(options.config)
          : undefined;
        const data = loaded?.config.data;
        checkOutputFiles(
          [
            { flag: '--json', path: options.json },
            { flag: '--markdown', path: options.markdown },
          ],
          [
            options.reference,
            options.current,
            options.config,
            options.model,
            options.referenceMetrics,
            ...[data?.eval, data?.train, data?.schema, data?.current].map((p) =>
              p && loaded ? loaded.resolve(p) : undefined,
            ),
          ],
        );
        const report = await computeDrift({
          reference: options.reference,
          current: options.current,
          ...(loaded ? { config: loaded } : {}),
          ...(options.model ? { modelPath: options.model } : {}),
          ...(options.referenceMetrics ? { referenceMetrics: options.referenceMetrics } : {}),
        });
        if (options.json) writeJson(options.json, report);
        if (options.markdown) writeReport(options.markdown, driftMarkdown(report));
        process.stdout.write(`${driftText(report)}\n`);
        setExit(options.failOnDrift && report.dataset_drift ? 1 : 0);
      },
    );
}
