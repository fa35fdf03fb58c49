import { spawnSync } from 'node:child_process';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../core/config/modelshipConfig.js';
import { ModelshipError } from '../core/errors.js';
import {
  readEvaluationReport,
  readRunManifest,
  writeReleaseBundle,
} from '../core/release/bundle.js';

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
    .option('--manifest <json>', "the training run's manifest.json (modelship train)")
    .option('--version <semver>', 'the release version', '0.0.0-dev')
    .option('--commit <sha>', 'the commit the model comes from (default: git HEAD of the config)')
    .option('--force', 'replace an earlier release bundle at --out (never another directory)')
    .action(async (options: PackageOptions) => {
      const loaded = loadConfig(options.config);
      if (options.commit !== undefined && !/^[0-9a-fA-F]{7,64}$/.test(options.commit))
        throw new ModelshipError(
          `--commit ${JSON.stringify(options.commit)} is not a commit SHA; pass the hex id, e.g. from git rev-parse HEAD.`,
        );
      const bundle = await writeReleaseBundle({
        loaded,
        out: options.out,
        model: options.model,
        report: options.report ? readEvaluationReport(options.report) : undefined,
        trainManifest: options.manifest ? readRunManifest(options.manifest) : null,
        version: options.version,
        commit: options.commit ?? gitHead(loaded.dir),
        force: options.force ?? false,
      });
      const shown = relative(process.cwd(), bundle.dir) || '.';
      process.stdout.write(
        `packaged ${bundle.manifest.tag} → ${shown}: ${bundle.files.length + 1} files (${bundle.files.map((f) => f.name).join(', ')}, SHA256SUMS); gate ${bundle.manifest.gate.passed ? 'passed' : 'failed'}\n`,
      );
      setExit(0);
    });
}

function gitHead(cwd: string): string | null {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  const sha = result.status === 0 ? result.stdout.trim() : '';
  return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}
