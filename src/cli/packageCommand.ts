import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';
import type { RunManifest } from '../core/train/runManifest.js';

interface PackageOptions {
  config: string;
  out: string;
  model?: string;
  report?: string;
  manifest?: string;
  version?: string;
  commit?: string;
  force?: boolean;
}

/** `modelship package --config <yml> --out <dir> [--model] [--report] [--manifest] [--version]` */
export function registerPackage(program: Command, setExit: (code: number) => void): void {
  // `--version <semver>` belongs to the release: program options (`modelship --version`) are then
  // only read before the command name, as `git` does.
  program.enablePositionalOptions();
  program
    .command('package')
    .description(
      'write the release bundle publish-model uploads: model, resolved config, contract, metrics, profile, model card, manifest, SHA256SUMS',
    )
    .option('-c, --config <file>', 'the config', 'modelship.yml')
    .requiredOption('-o, --out <dir>', 'the bundle directory to create')
    .option('--model <onnx>', 'the model (default: model.path of the config)')
    .option(
      '--report <json>',
      'evaluation report of this model (modelship evaluate --json); default: evaluate on data.eval',
    )
    .option(
      '--manifest <json>',
      "the training run's manifest.json (default: the one modelship train wrote beside the model, when it is this model's)",
    )
    .option('--version <semver>', 'the release version', '0.0.0-dev')
    .option('--commit <sha>', 'the commit the model comes from (default: git HEAD of the config)')
    .option('--force', 'replace an earlier release bundle at --out (never another directory)')
    .action(async (options: PackageOptions) => {
      const { loadConfig } = await import('../core/config/modelshipConfig.js');
      const { readEvaluationReport, writeReleaseBundle } =
        await import('../core/release/bundle.js');
      const loaded = loadConfig(options.config);
      if (options.commit !== undefined && !/^[0-9a-fA-F]{7,64}$/.test(options.commit))
        throw new ModelshipError(
          `--commit ${JSON.stringify(options.commit)} is not a commit SHA; pass the hex id, e.g. from git rev-parse HEAD.`,
        );
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const bundle = await writeReleaseBundle({
        loaded,
        out: options.out,
        model: options.model,
        report: options.report ? readEvaluationReport(options.report) : undefined,
        trainManifest: await trainManifest(options, loaded.resolve(loaded.config.model.path), say),
        version: options.version,
        commit: options.commit ?? gitHead(loaded.dir),
        force: options.force ?? false,
      });
      say(
        `packaged ${bundle.manifest.tag} → ${shown(bundle.dir)}: ${bundle.files.length + 1} files (${bundle.files.map((f) => f.name).join(', ')}, SHA256SUMS); gate ${bundle.manifest.gate.passed ? 'passed' : 'failed'}`,
      );
      setExit(0);
    });
}

const shown = (path: string) => relative(process.cwd(), path) || '.';

/**
 * --manifest when given; else the run manifest modelship train wrote beside the model, when it is
 * this model's run (an earlier run's is left out, and the output says why).
 */
async function trainManifest(
  options: PackageOptions,
  configModel: string,
  say: (line: string) => void,
): Promise<RunManifest | null> {
  const { readRunManifest } = await import('../core/release/bundle.js');
  const { runManifestBesideModel } = await import('../core/release/runManifestBesideModel.js');
  if (options.manifest) return readRunManifest(options.manifest);
  const beside = await runManifestBesideModel(options.model ?? configModel);
  if (beside.kind === 'found')
    say(`training run manifest: ${shown(beside.path)} (beside the model)`);
  if (beside.kind === 'skipped')
    say(
      `note: ${shown(beside.path)} is not packaged: ${beside.reason}; run modelship train again, or name the run's manifest with --manifest.`,
    );
  return beside.kind === 'found' ? beside.manifest : null;
}

function gitHead(cwd: string): string | null {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  const sha = result.status === 0 ? result.stdout.trim() : '';
  return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}
