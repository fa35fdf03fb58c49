import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import type { LoadedConfig } from '../config/modelshipConfig.js';
import { ModelshipError, messageOf } from '../errors.js';
import { LineSplitter, Tail, tailSummary } from './outputLines.js';
import { signalGroup, stopGroup } from './processGroup.js';
import { trainingEnv, trainingPaths, type TrainingPaths } from './trainingEnv.js';

export type OutputStream = 'stdout' | 'stderr';

/** How a training run ended. */
export interface TrainingResult {
  command: string;
  cwd: string;
  /** The command's exit code; null when it was ended by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** The last lines of stdout and stderr together, in the order they came. */
  tail: string[];
  /** True when processes the command left behind had to be stopped after it exited. */
  strayProcessesStopped: boolean;
}

export interface RunTrainingOptions {
  loaded: LoadedConfig;
  /** The command to run (default: train.command of the config), through the shell. */
  command?: string;
  /** Working directory (default: the config's directory). */
  cwd?: string;
  /** The caller's environment; the MODELSHIP_* variables are added (see trainingEnv). */
  env: Record<string, string | undefined>;
  /** Model path and output directory (default: model.path and its directory). */
  paths?: Partial<TrainingPaths>;
  /** Stop the command after this many minutes (fractions allowed); none when undefined. */
  timeoutMinutes?: number;
  /** Aborting stops the command: forward SIGTERM/SIGINT of the caller here. */
  signal?: AbortSignal;
  /** Time between SIGTERM and SIGKILL (default 10 s), for the script to save and exit. */
  killGraceMs?: number;
  /** Lines kept for the result's tail (default 30). */
  tailLines?: number;
  /** Each line of output as it arrives. */
  onLine?: (stream: OutputStream, line: string) => void;
  /** Before the command starts (the action opens a log group here). */
  onStart?: (info: { command: string; cwd: string; pid: number }) => void;
  /** After it ended, whatever the outcome (the action closes the log group here). */
  onEnd?: (result: TrainingResult) => void;
}

/** A training command that failed, timed out or was cancelled; `result` says how. */
export class TrainingFailedError extends ModelshipError {
  constructor(
    message: string,
    readonly result: TrainingResult,
  ) {
    super(message);
  }
}

/**
 * Runs the training command with live output and a timeout, in its own process group so that a
 * timeout or cancellation stops the whole tree (SIGTERM, then SIGKILL after the grace period) and
 * frees the GPU. Resolves with the result when the command exits 0; otherwise throws a
 * TrainingFailedError naming the exit code, signal or timeout and the last lines of output.
 */
export async function runTraining(options: RunTrainingOptions): Promise<TrainingResult> {
  const { loaded } = options;
  const command = options.command ?? loaded.config.train.command;
  if (!command) {
    throw new ModelshipError(
      `${loaded.file}: train.command is not set; add the command that trains the model (e.g. python train.py) or pass one.`,
    );
  }
  const cwd = options.cwd ?? loaded.dir;
  checkDirectory(cwd);
  const timeoutMs = timeoutOf(options.timeoutMinutes);
  const graceMs = options.killGraceMs ?? 10_000;
  const paths = trainingPaths(loaded, options.paths);
  const env = trainingEnv(options.env, loaded, paths);
  // What is at model.path now: a model there after the run must be one the run wrote.
  const modelBefore = fileState(paths.modelPath);
  const tail = new Tail(options.tailLines ?? 30);
  const posix = process.platform !== 'win32';
  const started = performance.now();

  if (options.signal?.aborted) {
    throw new TrainingFailedError(`train command "${command}" was cancelled before it started.`, {
      ...emptyResult(command, cwd),
      cancelled: true,
    });
  }

  const child = spawn(command, {
    cwd,
    env,
    shell: true,
    detached: posix,
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  try {
    await spawned;
  } catch (error) {
    throw new ModelshipError(
      `train command "${command}" could not be started in ${cwd} (${messageOf(error)}).`,
    );
  }
  const pid = child.pid!;
  options.onStart?.({ command, cwd, pid });

  const streams = (['stdout', 'stderr'] as const).map(
    (name) =>
      new Promise<void>((resolve) => {
        const splitter = new LineSplitter();
        const emit = (line: string) => {
          tail.add(line);
          options.onLine?.(name, line);
        };
        const stream = child[name]!;
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => splitter.push(chunk).forEach(emit));
        stream.once('close', () => {
          splitter.flush().forEach(emit);
          resolve();
        });
      }),
  );

  let stopReason: 'timeout' | 'cancel' | null = null;
  let termSentAt: number | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (reason: 'timeout' | 'cancel') => {
    if (stopReason) return;
    stopReason = reason;
    termSentAt = Date.now();
    if (posix) signalGroup(pid, 'SIGTERM');
    else child.kill('SIGTERM');
    // If the command ignores SIGTERM and keeps running, the group is killed outright.
    killTimer = setTimeout(
      () => (posix ? signalGroup(pid, 'SIGKILL') : child.kill('SIGKILL')),
      graceMs,
    );
  };
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), timeoutMs);
  const onAbort = () => stop('cancel');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  let result: TrainingResult | undefined;
  try {
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve) => child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    if (timer) clearTimeout(timer);
    // The shell is gone; what it started may not be (a background job, a worker that ignored
    // SIGTERM). Stop it too, so that nothing keeps the GPU or the output pipes open.
    const strays = posix ? await stopGroup(pid, graceMs, termSentAt) : false;
    await Promise.race([Promise.all(streams), new Promise((r) => setTimeout(r, 2_000))]);
    result = {
      command,
      cwd,
      exitCode: exit.code,
      signal: exit.signal,
      timedOut: stopReason === 'timeout',
      cancelled: stopReason === 'cancel',
      durationMs: Math.round(performance.now() - started),
      tail: tail.get(),
      strayProcessesStopped: strays && stopReason === null,
    };
  } finally {
    if (timer) clearTimeout(timer);
    if (killTimer) clearTimeout(killTimer);
    options.signal?.removeEventListener('abort', onAbort);
    child.stdout?.destroy();
    child.stderr?.destroy();
  }
  options.onEnd?.(result);
  const failure = failureMessage(result, options.timeoutMinutes);
  if (failure) throw new TrainingFailedError(failure, result);
  if (modelBefore && sameState(modelBefore, fileState(paths.modelPath))) {
    throw new TrainingFailedError(
      `train command "${command}" exited 0 but did not write a new model: ${paths.modelPath} is the file that was there before the run, unchanged; make the command write the model to model.path (MODELSHIP_MODEL_PATH), or remove the stale file.`,
      result,
    );
  }
  return result;
}

interface FileState {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

/** Identity and times of a file (nanoseconds), or null when there is none. */
function fileState(path: string): FileState | null {
  try {
    const stat = statSync(path, { bigint: true });
    if (!stat.isFile()) return null;
    return { ino: stat.ino, size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs };
  } catch {
    return null;
  }
}

/** A rewrite changes mtime or ctime; a new file in its place changes the inode. */
function sameState(a: FileState, b: FileState | null): boolean {
  return (
    b !== null &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  );
}

function failureMessage(result: TrainingResult, timeoutMinutes?: number): string | null {
  const { command } = result;
  const last = `last lines: ${tailSummary(result.tail)}`;
  if (result.timedOut) {
    return `train command "${command}" ran past its timeout of ${timeoutMinutes} minute${timeoutMinutes === 1 ? '' : 's'} and was stopped with all its processes; raise timeout-minutes (--timeout-minutes) or make training faster; ${last}`;
  }
  if (result.cancelled) {
    return `train command "${command}" was cancelled after ${(result.durationMs / 1000).toFixed(1)} s and stopped with all its processes.`;
  }
  if (result.exitCode === 0) return null;
  const how =
    result.exitCode === null
      ? `was killed by ${result.signal ?? 'a signal'}`
      : `exited with code ${result.exitCode}`;
  return `train command "${command}" ${how}; ${last}`;
}

function emptyResult(command: string, cwd: string): TrainingResult {
  return {
    command,
    cwd,
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: false,
    durationMs: 0,
    tail: [],
    strayProcessesStopped: false,
  };
}

/** The longest timeout: a week (Node's timers stop at 24.8 days, and fire at once past it). */
export const MAX_TIMEOUT_MINUTES = 10_080;

function timeoutOf(minutes: number | undefined): number | undefined {
  if (minutes === undefined) return undefined;
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_TIMEOUT_MINUTES) {
    throw new ModelshipError(
      `timeout-minutes must be a number of minutes greater than 0 and at most ${MAX_TIMEOUT_MINUTES} (a week), not ${minutes}.`,
    );
  }
  return Math.round(minutes * 60_000);
}

function checkDirectory(cwd: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) {
    throw new ModelshipError(`${cwd}: the training working directory does not exist.`);
  }
}
