import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../core/config/modelshipConfig.js';
import { evaluate } from '../core/evaluation/evaluate.js';
import { ModelshipError } from '../core/errors.js';
import { evaluationMarkdown } from '../core/report/evaluationMarkdown.js';
import { evaluationText } from '../core/report/evaluationText.js';
import { checkOutputFiles, writeJson, writeReport } from './reportFiles.js';

/** `modelship evaluate --config <yml> [--model] [--data] [--baseline] [--json] [--markdown]` */
export function registerEvaluate(program: Command, setExit: (code: number) => void): void {
  program
    .command('evaluate')
    .description(
      'evaluate the candidate (and a baseline) on the holdout: metrics, fairness and the gate',
    )
    .option('-c, --config <file>', 'the config', 'modelship.yml')
    .option('--model <onnx>', 'candidate model (default: model.path of the config)')
    .option('--data <file>', 'holdout data (default: data.eval of the config)')
    .option('--baseline <onnx>', 'baseline model to compare with, or "none"')
    .option('--json <file>', 'write the JSON report here')
    .option('--markdown <file>', 'write the markdown report here')
    .action(
      async (options: {
        config: string;
        model?: string;
        data?: string;
        baseline?: string;
        json?: string;
        markdown?: string;
      }) => {
        const config = loadConfig(options.config);
        const { data } = config.config;
        checkOutputFiles(
          [
            { flag: '--json', path: options.json },
            { flag: '--markdown', path: options.markdown },
          ],
          [
            options.config,
            options.model ?? config.resolve(config.config.model.path),
            options.data,
            options.baseline,
            ...[data.eval, data.train, data.schema, data.current].map((p) =>
              p ? config.resolve(p) : undefined,
            ),
          ],
        );
        const baseline =
          options.baseline && options.baseline !== 'none'
            ? { path: options.baseline, label: options.baseline }
            : null;
        // Said here: the model loader's message would point at model.path and --model.
        if (baseline && !existsSync(baseline.path)) {
          throw new ModelshipError(
            `${baseline.path}: baseline model not found; check the --baseline path (relative to the current directory), or pass --baseline none.`,
          );
        }
        const report = await evaluate({
          config,
          model: options.model,
          data: options.data,
          baseline,
        });
        if (options.json) writeJson(options.json, report);
        if (options.markdown) writeReport(options.markdown, evaluationMarkdown(report));
        process.stdout.write(`${evaluationText(report)}\n`);
        setExit(report.gate.passed ? 0 : 1);
      },
    );
}
