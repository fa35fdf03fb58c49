import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';

interface ShadowReportOptions {
  labels?: string;
  idColumn: string;
  labelColumn?: string;
  config?: string;
  json?: string;
  markdown?: string;
}

/**
 * `modelship shadow-report <log> [--labels <file> --id-column id --label-column <target>]
 * [--config <yml>] [--json <file>] [--markdown <file>]`
 */
export function registerShadowReport(program: Command, setExit: (code: number) => void): void {
  program
    .command('shadow-report')
    .description(
      "compare a shadow's logged answers with the primary's (modelship serve --shadow): agreement, or with labels the report evaluate writes",
    )
    .argument('<log>', 'the JSON lines file modelship serve --shadow-log wrote')
    .option(
      '--labels <file>',
      'labels that arrived later (CSV, TSV, Parquet or JSON lines), joined to the logged requests by id',
    )
    .option('--id-column <name>', 'the labels file column holding request ids', 'id')
    .option(
      '--label-column <name>',
      "the labels file column holding the true label (default: --config's model.target)",
    )
    .option(
      '-c, --config <file>',
      'modelship.yml whose metrics rules gate the shadow against the primary',
    )
    .option('--json <file>', 'write the JSON report here')
    .option('--markdown <file>', 'write the markdown report here')
    .action(async (log: string, options: ShadowReportOptions) => {
      const { checkOutputFiles, writeJson, writeReport } =
        await import('../core/report/reportFiles.js');
      checkOutputFiles(
        [
          { flag: '--json', path: options.json },
          { flag: '--markdown', path: options.markdown },
        ],
        [log, options.labels, options.config],
      );
      const { loadConfig } = await import('../core/config/modelshipConfig.js');
      const config = options.config ? loadConfig(options.config).config : undefined;
      const { readShadowLog } = await import('../core/serve/shadowLog.js');
      const pairs = await readShadowLog(log);
      if (!options.labels) {
        if (options.labelColumn)
          throw new ModelshipError(
            '--label-column names a column of the labels file: pass the file with --labels too.',
          );
        const { agreementReport } = await import('../core/serve/shadowReport.js');
        const { agreementMarkdown, agreementText } =
          await import('../core/serve/shadowAgreementText.js');
        const report = agreementReport(pairs);
        if (options.json) writeJson(options.json, { labels: null, agreement: report });
        if (options.markdown) writeReport(options.markdown, agreementMarkdown(report));
        process.stdout.write(`${agreementText(report)}\n`);
        setExit(0);
        return;
      }
      const labelColumn = options.labelColumn ?? config?.model.target;
      if (!labelColumn)
        throw new ModelshipError(
          '--labels needs the column that holds the true label: pass --label-column, or --config whose model.target names it.',
        );
      const { labelledReport } = await import('../core/serve/shadowReport.js');
      const { evaluationMarkdown } = await import('../core/report/evaluationMarkdown.js');
      const { evaluationText } = await import('../core/report/evaluationText.js');
      const { report, unmatched } = await labelledReport(pairs, {
        file: options.labels,
        idColumn: options.idColumn,
        labelColumn,
        ...(config ? { config } : {}),
      });
      if (options.json) writeJson(options.json, report);
      if (options.markdown) writeReport(options.markdown, evaluationMarkdown(report));
      process.stdout.write(
        `${evaluationText(report)}\n${unmatched ? `${unmatched} logged rows have no label in ${options.labels} yet and were left out.\n` : ''}`,
      );
      setExit(report.gate.passed ? 0 : 1);
    });
}
