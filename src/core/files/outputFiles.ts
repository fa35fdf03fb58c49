import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { ModelshipError, messageOf } from '../errors.js';

/**
 * The file a command writes into a directory it creates, naming the command: `--force` (or a
 * later run) may only replace or write into a non-empty directory that holds it.
 */
export const OUTPUT_MARKER = '.modelship-output';

/**
 * Writes `content` to `file` atomically: a temporary file in the same directory, flushed, then
 * renamed over `file`. A crash or `kill -9` leaves the previous file (or none), never a torn one.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  const temporary = join(
    dirname(resolve(file)),
    `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    const fd = openSync(temporary, 'wx', 0o644);
    try {
      const bytes = typeof content === 'string' ? Buffer.from(content) : content;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** The real path of `path`, or of its nearest existing parent joined with the rest. */
export function realPathOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(realPathOf(parent), basename(absolute));
  }
}

/** Whether `inner` is `outer` or lies below it (real paths). */
export function isSameOrInside(inner: string, outer: string): boolean {
  const rel = relative(realPathOf(outer), realPathOf(inner));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** An output of a command: the flag that named it and the path. */
export interface OutputPath {
  flag: string;
  path: string | undefined;
}

/**
 * Refuses, before any work, outputs that would overwrite an input of the same command (a data
 * glob counts for every file it matches) or each other. Inputs that are undefined are skipped.
 */
export function checkOutputFiles(
  outputs: readonly OutputPath[],
  inputs: readonly (string | undefined)[],
): void {
  const given = outputs.filter((o): o is { flag: string; path: string } => Boolean(o.path));
  for (const output of given) {
    const target = realPathOf(output.path);
    if (existsSync(target) && statSync(target).isDirectory())
      throw new ModelshipError(
        `${output.flag} ${output.path}: is a directory; name the file to write.`,
      );
    for (const input of inputs) {
      if (!input) continue;
      if (
        target === realPathOf(input) ||
        globMatches(input, target) ||
        globMatches(input, resolve(output.path))
      )
        throw new ModelshipError(
          `${output.flag} ${output.path}: is an input of this command (${input}); writing the report there would overwrite it; choose another path.`,
        );
    }
  }
  for (let i = 0; i < given.length; i++)
    for (let j = i + 1; j < given.length; j++)
      if (realPathOf(given[i]!.path) === realPathOf(given[j]!.path))
        throw new ModelshipError(
          `${given[i]!.flag} and ${given[j]!.flag} name the same file (${given[j]!.path}); choose two paths.`,
        );
}

/** Whether a data glob (DuckDB's: *, **, ?, [..], {a,b}) matches `file` (absolute). */
function globMatches(pattern: string, file: string): boolean {
  if (!/[*?[{]/.test(pattern) || /^[a-z][a-z0-9+.-]*:\/\//i.test(pattern)) return false;
  let source = '';
  const glob = resolve(pattern);
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '{') source += '(?:';
    else if (c === '}') source += ')';
    else if (c === ',' && source.includes('(?:')) source += '|';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${glob
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else source += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  try {
    return new RegExp(`^${source}$`).test(file);
  } catch {
    return false;
  }
}

/** Whether `dir` holds the marker of `command` (an earlier output of it). */
export function hasOutputMarker(dir: string, command: string): boolean {
  try {
    return readFileSync(join(dir, OUTPUT_MARKER), 'utf8').trim() === command;
  } catch {
    return false;
  }
}

/** Writes the marker of `command` into `dir`. */
export function writeOutputMarker(dir: string, command: string): void {
  writeFileAtomic(join(dir, OUTPUT_MARKER), `${command}\n`);
}

/**
 * Refuses an output directory that is, or holds, the current directory or any of `inputs` (the
 * project, the config, the data): writing or replacing it would destroy them.
 */
export function checkOutputDirectory(
  flag: string,
  dir: string,
  inputs: readonly (string | undefined)[],
): void {
  const protectedPaths = [process.cwd(), ...inputs];
  for (const path of protectedPaths) {
    if (!path) continue;
    if (isSameOrInside(path, dir))
      throw new ModelshipError(
        `${flag} ${dir}: ${path === process.cwd() ? 'is or holds the current directory' : `is or holds an input of this command (${path})`}; choose a new directory for the output.`,
      );
  }
}

/**
 * An existing, non-empty output directory may only be written into when it is an earlier output
 * of the same command (it holds the marker); `what` says what to do instead.
 */
export function checkEarlierOutput(flag: string, dir: string, command: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory())
    throw new ModelshipError(`${flag} ${dir}: exists and is not a directory; choose another path.`);
  if (readdirSync(dir).length === 0 || hasOutputMarker(dir, command)) return;
  throw new ModelshipError(
    `${flag} ${dir}: exists, is not empty and is not an earlier output of modelship ${command}; choose a new directory, or empty this one yourself.`,
  );
}

/** Wraps a write so that a failure is one sentence naming the file. */
export function writeOutputFile(file: string, content: string, what = 'the report'): void {
  try {
    writeFileAtomic(file, content);
  } catch (error) {
    throw new ModelshipError(
      `${file}: cannot write ${what} (${messageOf(error)}); check the directory and its permissions.`,
    );
  }
}
