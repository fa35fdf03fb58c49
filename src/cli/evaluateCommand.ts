import { join } from 'node:path';
import type { Command } from 'commander';
import type { ReleaseMetrics } from '../core/evaluation/evaluationReport.js';
import { messageOf, ModelshipError } from '../core/errors.js';
import { BUNDLE_FILES } from '../core/release/bundleFiles.js';
import type { ReleaseRepository } from '../github/releases/apiRelease.js';
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
      'what to compare with: production, a release tag or a version (from GitHub releases, with GITHUB_TOKEN), a release bundle directory, an ONNX file, or none (default)',
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
        const { resolveBaseline } = await import('../github/releases/baseline.js');
        const { evaluate } = await import('../core/evaluation/evaluate.js');
        const { evaluationMarkdown } = await import('../core/report/evaluationMarkdown.js');
        const { evaluationText } = await import('../core/report/evaluationText.js');
        const asked = options.baseline !== undefined && options.baseline !== 'none';
        const { github, why } = asked
          ? await gitHubFromEnvironment(config.dir)
          : { github: undefined, why: '' };
        const baseline = await resolveBaseline(options.baseline ?? 'none', {
          model: config.config.model.name,
          what: '--baseline',
          workingDirectory: '.',
          github,
          withoutGitHub: (spec) =>
            `--baseline ${spec} is read from the repository's GitHub releases, but ${why}: set GITHUB_TOKEN (or GH_TOKEN) and GITHUB_REPOSITORY=owner/name, or pass the release's downloaded assets as a bundle directory, an ONNX file, or none.`,
          configFile: options.baselineConfig,
          warn: (message) => process.stderr.write(`modelship: warning: ${message}\n`),
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

/**
 * The releases' repository and a client: the token from GITHUB_TOKEN or GH_TOKEN, the repository
 * from GITHUB_REPOSITORY or the origin remote of the config's directory; else why there is none.
 */
async function gitHubFromEnvironment(
  dir: string,
): Promise<{ github: ReleaseRepository | undefined; why: string }> {
  const { cliOctokit, repositoryOf, tokenFromEnv } = await import('./registry/repository.js');
  const token = tokenFromEnv();
  if (!token) return { github: undefined, why: 'no token is set in GITHUB_TOKEN or GH_TOKEN' };
  const found = repositoryOf(undefined, dir);
  if ('missing' in found)
    return {
      github: undefined,
      why: `GITHUB_REPOSITORY is not set and the origin remote names no repository (${found.missing})`,
    };
  return { github: { octokit: await cliOctokit(token), ...found }, why: '' };
}

/** The last releases' metrics; a registry that cannot be read leaves them out with a warning. */
async function historyFrom(github: ReleaseRepository, model: string): Promise<ReleaseMetrics[]> {
  const { releaseHistory } = await import('../github/releases/history.js');
  const { ModelRegistry } = await import('../github/releases/registry.js');
  try {
    return await releaseHistory(new ModelRegistry(github), model);
  } catch (error) {
    process.stderr.write(
      `modelship: warning: the report's history of ${model} was left out: its releases' metrics.json could not be read (${messageOf(error)}).\n`,
    );
    return [];
  }
}
