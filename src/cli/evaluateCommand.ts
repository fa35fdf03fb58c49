import { join } from 'node:path';
import type { Command } from 'commander';
import type { ReleaseMetrics } from '../core/evaluation/evaluationReport.js';
import { messageOf, ModelshipError } from '../core/errors.js';
import { BUNDLE_FILES } from '../core/release/bundleFiles.js';
import { parseRepository } from '../core/release/versionQuery.js';
import type { BaselineLookup } from '../github/baselineModel.js';
import { checkOutputFiles, writeJson, writeReport } from '../core/report/reportFiles.js';

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
    .option(
      '--baseline <which>',
      'what to compare with: production or a release tag (GitHub, with GITHUB_TOKEN and GITHUB_REPOSITORY), a release bundle directory, an ONNX file, or none (default)',
    )
    .option(
      '--baseline-config <file>',
      "modelship.yml whose features a bare ONNX baseline reads (default: the candidate's config)",
    )
    .option('--json <file>', 'write the JSON report here')
    .option('--markdown <file>', 'write the markdown report here')
    .action(
      async (options: {
        config: string;
        model?: string;
        data?: string;
        baseline?: string;
        baselineConfig?: string;
        json?: string;
        markdown?: string;
      }) => {
        const { loadConfig } = await import('../core/config/modelshipConfig.js');
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
            options.baseline && join(options.baseline, BUNDLE_FILES.model),
            options.baseline && join(options.baseline, BUNDLE_FILES.config),
            options.baselineConfig,
            ...[data.eval, data.train, data.schema, data.current].map((p) =>
              p ? config.resolve(p) : undefined,
            ),
          ],
        );
        if (options.baselineConfig && !options.baseline)
          throw new ModelshipError(
            '--baseline-config says how a baseline model reads the holdout: pass the model with --baseline too.',
          );
        const { resolveBaseline } = await import('../github/baselineModel.js');
        const { evaluate } = await import('../core/evaluation/evaluate.js');
        const { evaluationMarkdown } = await import('../core/report/evaluationMarkdown.js');
        const { evaluationText } = await import('../core/report/evaluationText.js');
        const github = await gitHubFromEnvironment();
        const baseline = await resolveBaseline(options.baseline ?? 'none', {
          model: config.config.model.name,
          workingDirectory: '.',
          github,
          withoutGitHub,
          configFile: options.baselineConfig,
        });
        const report = await evaluate({
          config,
          model: options.model,
          data: options.data,
          baseline,
        });
        // A baseline from the releases brings their history: each gated metric over them.
        if (github && baseline?.tag && Object.keys(config.config.metrics).length > 0) {
          const history = await historyFrom(github, report.name);
          if (history.length > 0) report.history = history;
        }
        if (options.json) writeJson(options.json, report);
        if (options.markdown) writeReport(options.markdown, evaluationMarkdown(report));
        process.stdout.write(`${evaluationText(report)}\n`);
        setExit(report.gate.passed ? 0 : 1);
      },
    );
}

/** The releases' repository and a client, as the actions have them: from the environment. */
async function gitHubFromEnvironment(): Promise<BaselineLookup['github']> {
  const token = process.env.GITHUB_TOKEN || process.env.GH_TOKEN;
  const repository = parseRepository(process.env.GITHUB_REPOSITORY ?? '');
  if (!token || !repository) return undefined;
  const { createOctokit } = await import('../github/octokit.js');
  const octokit = createOctokit({
    token,
    baseUrl: process.env.GITHUB_API_URL || 'https://api.github.com',
    userAgent: 'modelship-cli',
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
  return { octokit, ...repository };
}

/** The last releases' metrics; a registry that cannot be read leaves them out with a warning. */
async function historyFrom(
  github: NonNullable<BaselineLookup['github']>,
  model: string,
): Promise<ReleaseMetrics[]> {
  const { releaseHistory } = await import('../github/releaseHistory.js');
  const { GitHubModelRegistry } = await import('../github/modelRegistry.js');
  try {
    return await releaseHistory(new GitHubModelRegistry(github.octokit, github), model);
  } catch (error) {
    process.stderr.write(
      `modelship: warning: the report's history of ${model} was left out: its releases' metrics.json could not be read (${messageOf(error)}).\n`,
    );
    return [];
  }
}

function withoutGitHub(spec: string): string {
  return `--baseline ${spec} is read from the repository's GitHub releases, which needs GITHUB_TOKEN (or GH_TOKEN) and GITHUB_REPOSITORY=owner/name: set both, or pass the release's downloaded assets as a bundle directory, an ONNX file, or none.`;
}
