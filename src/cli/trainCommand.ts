import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';
import type { GpuMode } from '../core/train/gpu.js';
import { MAX_TIMEOUT_MINUTES } from '../core/train/runTraining.js';
import { trainingPaths } from '../core/train/trainingEnv.js';
import { packageVersion } from './packageInfo.js';

interface TrainOptions {
  config: string;
  command?: string;
  timeoutMinutes?: string;
  gpu?: string;
  outputDir?: string;
  commit?: string;
}

/** `modelship train --config <yml> [--command] [--timeout-minutes] [--gpu] [--output-dir]` */
export function registerTrain(program: Command, setExit: (code: number) => void): void {
  program
    .command('train')
    .description(
      'run train.command with live output, check the model it writes and record a run manifest',
    )
    .option('-c, --config <file>', 'the config', 'modelship.yml')
    .option('--command <cmd>', 'command to run instead of train.command of the config')
    .option('--timeout-minutes <n>', 'stop the command (and everything it started) after n minutes')
    .option('--gpu <mode>', 'required | optional | none (default: train.gpu of the config)')
    .option(
      '--output-dir <dir>',
      "where metrics.json and manifest.json go (default: the model's directory)",
    )
    .option(
      '--commit <sha>',
      'commit recorded in the manifest (default: GITHUB_SHA, else git HEAD)',
    )
    .action(async (options: TrainOptions) => {
      const { loadConfig } = await import('../core/config/modelshipConfig.js');
      const loaded = loadConfig(options.config);
      const mode = gpuMode(options.gpu ?? loaded.config.train.gpu);
      const timeoutMinutes = minutes(options.timeoutMinutes);
      const paths = trainingPaths(loaded, { outputDir: options.outputDir });
      checkManifestPath(join(paths.outputDir, 'manifest.json'));
      const say = (line: string) => process.stdout.write(`${line}\n`);
      const shown = (path: string) => relative(process.cwd(), path) || '.';

      const { trainRun } = await import('../core/train/trainRun.js');
      const { result, model, manifestPath } = await trainRun({
        loaded,
        ...(options.command !== undefined ? { command: options.command } : {}),
        gpu: mode,
        env: { ...process.env },
        paths,
        ...(timeoutMinutes !== undefined ? { timeoutMinutes } : {}),
        commitSha: options.commit ?? process.env.GITHUB_SHA ?? gitHead(loaded.dir),
        modelshipVersion: packageVersion(),
        onGpu: (decision) => say(`modelship train: ${loaded.config.model.name}; ${decision.note}`),
        onStart: ({ command, cwd }) => say(`$ ${command}   (in ${shown(cwd)})`),
        onLine: (stream, line) => process[stream].write(`${line}\n`),
      });
      say(
        `trained ${loaded.config.model.name} in ${(result.durationMs / 1000).toFixed(1)} s: ${shown(model.path)} (${kib(model.sizeBytes)}, sha256 ${model.sha256.slice(0, 12)}…) loads on ${model.provider} with ${model.features} inputs; manifest → ${shown(manifestPath)}`,
      );
      if (result.strayProcessesStopped) {
        say('note: the command left processes running after it exited; they were stopped.');
      }
      setExit(0);
    });
}

/**
 * The run manifest replaces only an earlier run's: a manifest.json of something else there (a
 * release bundle's, with --output-dir pointing at it) is refused before training starts.
 */
function checkManifestPath(path: string): void {
  if (!existsSync(path)) return;
  let command: unknown;
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { run?: { command?: unknown } };
    command = manifest?.run?.command;
  } catch {
    // not JSON: not ours either
  }
  if (typeof command !== 'string')
    throw new ModelshipError(
      `${path}: exists and is not the manifest of an earlier training run; choose another --output-dir, so that the run manifest does not overwrite it.`,
    );
}

function gpuMode(value: string): GpuMode {
  if (value === 'required' || value === 'optional' || value === 'none') return value;
  throw new ModelshipError(`--gpu must be required, optional or none, not "${value}".`);
}

function minutes(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const number = /^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(number) || number <= 0)
    throw new ModelshipError(`--timeout-minutes must be a positive number, not "${value}".`);
  if (number > MAX_TIMEOUT_MINUTES)
    throw new ModelshipError(
      `--timeout-minutes must be at most ${MAX_TIMEOUT_MINUTES} (a week), not "${value}"; pass a shorter timeout, or leave it out for none.`,
    );
  return number;
}

function gitHead(cwd: string): string | null {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  const sha = result.status === 0 ? result.stdout.trim() : '';
  return /^[0-9a-f]{40}$/.test(sha) ? sha : null;
}

function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}
