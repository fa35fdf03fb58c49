import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';
import { checkOutputFiles, writeJson, writeReport } from '../core/report/reportFiles.js';

/** `modelship drift --reference <data|profile.json> --current <data> [--config] [--model] [--reference-metrics] [--json] [--markdown] [--fail-on-drift] [--fail-on-degradation]` */
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
    .option(
      '--fail-on-degradation',
      'exit 1 when the model degraded (the gate’s rules, rollback.max_regression or max_extreme_share; needs --config)',
    )
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
        failOnDegradation?: boolean;
      }) => {
        const { computeDrift, driftMarkdown, driftText, judgeDegradation } =
          await import('../core/drift/index.js');
        // The config's reader (zod, yaml) loads only with --config: 170 module files otherwise.
        const loaded = options.config
          ? (await import('../core/config/modelshipConfig.js')).loadConfig(options.config)
          : undefined;
        if (options.failOnDegradation && !loaded)
          throw new ModelshipError(
            '--fail-on-degradation needs --config: the rules production is judged by (metrics, rollback) are in modelship.yml.',
          );
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
        // The verdict drift-check acts on, judged the same way here.
        if (loaded)
          report.degradation = judgeDegradation({
            config: loaded.config,
            performance: report.performance,
            extreme: report.prediction?.extreme_outputs,
          });
        if (options.json) writeJson(options.json, report);
        if (options.markdown) writeReport(options.markdown, driftMarkdown(report));
        process.stdout.write(`${driftText(report)}\n`);
        const failed =
          (options.failOnDrift && report.dataset_drift) ||
          (options.failOnDegradation && report.degradation?.degraded);
        setExit(failed ? 1 : 0);
      },
    );
}
