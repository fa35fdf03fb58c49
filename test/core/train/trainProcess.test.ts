import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { ModelshipError } from '../../../src/core/errors.js';
import { LineSplitter } from '../../../src/core/train/outputLines.js';
import { processAlive } from '../../../src/core/train/processGroup.js';
import {
  runTraining,
  TrainingFailedError,
  type RunTrainingOptions,
  type TrainingResult,
} from '../../../src/core/train/runTraining.js';
import { ROOT } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const loaded = loadConfig(join(ROOT, 'examples', 'credit-risk', 'modelship.yml'));
let runs = 0;

/** Runs `command` in the temp dir with the example config; the model path points there too. */
function train(command: string, options: Partial<RunTrainingOptions> = {}) {
  const lines: [string, string][] = [];
  const run = runTraining({
    loaded,
    command,
    cwd: dir,
    env: { PATH: process.env.PATH },
    paths: { modelPath: join(dir, `model-${++runs}.onnx`) },
    onLine: (stream, line) => lines.push([stream, line]),
    ...options,
  });
  return { run, lines };
}

/** The failure of a run that must fail. */
async function failure(run: Promise<TrainingResult>): Promise<TrainingFailedError> {
  const error = await run.then(
    () => new Error('expected the run to fail'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TrainingFailedError);
  expect(error).toBeInstanceOf(ModelshipError);
  return error as TrainingFailedError;
}

/** Waits for a file the command writes (a pid), up to 10 s. */
async function waitForFile(path: string): Promise<string> {
  for (let i = 0; i < 400 && !existsSync(path); i++) await delay(25);
  await delay(50);
  return readFileSync(path, 'utf8').trim();
}

// The training command backgrounds a grandchild that would outlive a killed shell: the shell
// starts `sleep` (here made deaf to SIGTERM where asked), writes its pid, and waits.
function treeCommand(pidFile: string, ignoreTerm = false): string {
  const sleeper = ignoreTerm ? `(trap '' TERM; exec sleep 600)` : 'sleep 600';
  return `${sleeper} & echo $! > '${pidFile}'; wait`;
}

describe('runTraining', () => {
  it('streams output line by line while the command runs and passes the environment', async () => {
    const seen: number[] = [];
    const { run, lines } = train(
      'echo first; sleep 1; echo "$MODELSHIP_MODEL_PATH|$MODELSHIP_OUTPUT_DIR|$MODELSHIP_CONFIG"; echo "$MODELSHIP_DATA_TRAIN|$MODELSHIP_DATA_SCHEMA|$CUDA_VISIBLE_DEVICES|${MODELSHIP_DATA_STALE:-unset}" >&2',
      {
        env: { PATH: process.env.PATH, CUDA_VISIBLE_DEVICES: '1', MODELSHIP_DATA_STALE: 'x' },
        onLine: (stream, line) => {
          seen.push(performance.now());
          lines.push([stream, line]);
        },
      },
    );
    const started = performance.now();
    const result = await run;
    const finished = performance.now();
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, cancelled: false });
    expect(seen[0]! - started).toBeLessThan(finished - started - 700);
    const model = join(dir, `model-${runs}.onnx`);
    // stdout and stderr are separate pipes: lines written at the same moment may swap.
    expect(lines[0]).toEqual(['stdout', 'first']);
    expect(lines.slice(1).sort()).toEqual([
      [
        'stderr',
        `${loaded.resolve('data/train.csv')}|${loaded.resolve('data/schema.yml')}|1|unset`,
      ],
      ['stdout', `${model}|${dir}|${loaded.file}`],
    ]);
    expect(result.tail).toEqual(lines.map(([, line]) => line));
    expect(result.durationMs).toBeGreaterThanOrEqual(900);
  });

  it('splits carriage-return progress lines and keeps the last 30 lines as the tail', async () => {
    const { run, lines } = train(`printf 'a\\rb\\r\\nc'; seq 1 40`);
    const result = await run;
    expect(lines.slice(0, 3).map(([, l]) => l)).toEqual(['a', 'b', 'c1']);
    expect(result.tail).toHaveLength(30);
    expect(result.tail.at(-1)).toBe('40');
    const splitter = new LineSplitter();
    expect([...splitter.push('x\r'), ...splitter.push('\ny'), ...splitter.flush()]).toEqual([
      'x',
      'y',
    ]);
  });

  it('reports a non-zero exit with its code and the last lines of output', async () => {
    const command =
      'for i in 1 2 3 4 5 6 7; do echo "step $i"; done; echo "CUDA out of memory" >&2; exit 3';
    const error = await failure(train(command).run);
    expect(error.result).toMatchObject({ exitCode: 3, timedOut: false, cancelled: false });
    expect(error.message).toBe(
      `train command "${command}" exited with code 3; last lines: step 4 | step 5 | step 6 | step 7 | CUDA out of memory`,
    );
    expect(error.exitCode).toBe(2);
  });

  it('stops the whole process tree on timeout, grandchildren included', async () => {
    const pidFile = join(dir, 'timeout.pid');
    const { run } = train(`echo started; ${treeCommand(pidFile)}`, { timeoutMinutes: 1.5 / 60 });
    const grandchild = Number(await waitForFile(pidFile));
    expect(processAlive(grandchild)).toBe(true);
    const error = await failure(run);
    expect(error.result).toMatchObject({ timedOut: true, cancelled: false, exitCode: null });
    expect(error.message).toMatch(
      /^train command ".*" ran past its timeout of 0\.025 minutes and was stopped with all its processes; raise timeout-minutes \(--timeout-minutes\) or make training faster; last lines: started$/,
    );
    expect(processAlive(grandchild)).toBe(false);
  });

  it('kills a grandchild that ignores SIGTERM once the grace period is over', async () => {
    const pidFile = join(dir, 'deaf.pid');
    const { run } = train(treeCommand(pidFile, true), {
      timeoutMinutes: 1 / 60,
      killGraceMs: 500,
    });
    const grandchild = Number(await waitForFile(pidFile));
    const error = await failure(run);
    expect(error.result.timedOut).toBe(true);
    expect(processAlive(grandchild)).toBe(false);
  });

  it('stops the tree when the AbortSignal fires (a cancelled job frees the GPU)', async () => {
    const pidFile = join(dir, 'cancel.pid');
    const controller = new AbortController();
    const ended: TrainingResult[] = [];
    const started: number[] = [];
    const { run } = train(treeCommand(pidFile), {
      signal: controller.signal,
      onStart: ({ pid }) => started.push(pid),
      onEnd: (result) => ended.push(result),
    });
    const grandchild = Number(await waitForFile(pidFile));
    controller.abort();
    const error = await failure(run);
    expect(error.result).toMatchObject({ cancelled: true, timedOut: false });
    expect(error.message).toMatch(/^train command ".*" was cancelled after \d+\.\d s and stopped/);
    expect(processAlive(grandchild)).toBe(false);
    expect(processAlive(started[0]!)).toBe(false);
    expect(ended).toEqual([error.result]);
    const aborted = await failure(train('echo never', { signal: controller.signal }).run);
    expect(aborted.message).toBe('train command "echo never" was cancelled before it started.');
  });

  it('stops processes a successful command leaves behind', async () => {
    const pidFile = join(dir, 'stray.pid');
    const result = await train(`sleep 600 & echo $! > '${pidFile}'; echo done`, {
      killGraceMs: 2000,
    }).run;
    expect(result).toMatchObject({ exitCode: 0, strayProcessesStopped: true });
    expect(processAlive(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('names a missing working directory, command or bad timeout in one sentence', async () => {
    await expect(train('true', { cwd: join(dir, 'nope') }).run).rejects.toThrow(
      `${join(dir, 'nope')}: the training working directory does not exist.`,
    );
    await expect(train('true', { timeoutMinutes: 0 }).run).rejects.toThrow(
      'timeout-minutes must be a number of minutes greater than 0 and at most 10080 (a week), not 0.',
    );
    // Past Node's timer limit a timeout would fire at once: refused instead.
    await expect(train('true', { timeoutMinutes: 1e12 }).run).rejects.toThrow(
      /at most 10080 \(a week\), not 1000000000000\./,
    );
    const noCommand = {
      ...loaded,
      config: { ...loaded.config, train: { gpu: 'optional' as const } },
    };
    await expect(runTraining({ loaded: noCommand, env: {} })).rejects.toThrow(
      /train\.command is not set/,
    );
  });
});

describe('a model left from an earlier run', () => {
  it('fails a run that exits 0 without writing a new model, naming the file', async () => {
    const modelPath = join(dir, 'stale.onnx');
    writeFileSync(modelPath, 'old model');
    const error = await failure(train('true', { paths: { modelPath } }).run);
    expect(error.message).toBe(
      `train command "true" exited 0 but did not write a new model: ${modelPath} is the file that was there before the run, unchanged; make the command write the model to model.path (MODELSHIP_MODEL_PATH), or remove the stale file.`,
    );
    expect(error.result.exitCode).toBe(0);
    // Rewritten in place, even with the same bytes, or replaced: a model of this run.
    await train('printf "old model" > "$MODELSHIP_MODEL_PATH"', { paths: { modelPath } }).run;
    await train('cp "$MODELSHIP_MODEL_PATH" x && mv x "$MODELSHIP_MODEL_PATH"', {
      paths: { modelPath },
    }).run;
    expect(readFileSync(modelPath, 'utf8')).toBe('old model');
  });
});
