import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, statSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ModelshipError } from '../errors.js';

/** The Actions cache refuses keys longer than this. */
const MAX_KEY_LENGTH = 512;
/** Hex digits of the files' hash kept in the key. */
const HASH_LENGTH = 16;
/** Bumped when the hashed text changes shape, so that old entries stop matching exactly. */
const KEY_FORMAT = 'modelship-cache-key/1';

export interface CacheKeyInput {
  /** The key's fixed part, e.g. `cacheKeyPrefix(model, os)`; the key is `<prefix>-<hash>`. */
  prefix: string;
  /**
   * What the cached state depends on: lock files, the training script, data files. Each entry is
   * a file, a directory (every file below it) or a glob (`*`, `?`, `[…]` within a path segment,
   * `**` for any number of segments; `*` and `**` skip names that start with a dot unless the
   * pattern's segment does). Relative entries are resolved against `root`.
   */
  files: readonly string[];
  /** Anything else the state depends on (the training command, a tool version), hashed too. */
  extra?: string;
  /** Base directory of relative entries and of the names hashed into the key; default: cwd. */
  root?: string;
}

/** One file that went into the key. */
export interface HashedFile {
  /** Path relative to the root, `/`-separated: the name that is hashed with the digest. */
  path: string;
  sha256: string;
  size: number;
}

export interface CacheKey {
  /** `<prefix>-<first 16 hex digits of the sha256 over the files' names and digests>`. */
  key: string;
  /** The key's prefixes, most specific first, for a partial restore: `[<prefix>-]`. */
  restoreKeys: string[];
  /** The files hashed, sorted by path, each once. */
  files: HashedFile[];
  /** Entries of `files` that matched no file (a missing path, an empty directory or glob). */
  missing: string[];
}

/** `modelship-train-<model>-<os>`, with every run of characters unsafe in a key made a `-`. */
export function cacheKeyPrefix(modelName: string, os: string): string {
  return ['modelship-train', slug(modelName), slug(os)].join('-');
}

/**
 * A deterministic cache key: the same prefix, file contents, file names (relative to the root)
 * and extra text give the same key on every machine; a changed byte in any file changes it. The
 * order of `files` and repeated matches do not matter. Missing entries are skipped and named.
 */
export async function computeCacheKey(input: CacheKeyInput): Promise<CacheKey> {
  checkPrefix(input.prefix);
  const root = resolve(input.root ?? '.');
  const missing: string[] = [];
  const absolute = new Set<string>();
  for (const entry of input.files) {
    const matched = expandEntry(root, entry);
    if (matched.length === 0) missing.push(entry);
    for (const file of matched) absolute.add(file);
  }
  const named = [...absolute].map((file) => ({ file, path: toPosix(relative(root, file)) }));
  named.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const files: HashedFile[] = [];
  for (const { file, path } of named) files.push({ path, ...(await digestFile(file)) });

  const hash = createHash('sha256').update(`${KEY_FORMAT}\n`);
  // Paths cannot hold NUL, and the extra text comes with its length: no two inputs hash alike.
  for (const file of files) hash.update(`file\0${file.path}\0${file.sha256}\n`);
  if (input.extra !== undefined) hash.update(`extra\0${input.extra.length}\0${input.extra}\n`);
  const key = `${input.prefix}-${hash.digest('hex').slice(0, HASH_LENGTH)}`;
  return { key, restoreKeys: [`${input.prefix}-`], files, missing };
}

function checkPrefix(prefix: string): void {
  if (prefix === '') throw new ModelshipError('The cache key prefix is empty; give it a name.');
  if (prefix.includes(',')) {
    throw new ModelshipError(
      `The cache key prefix "${prefix}" contains a comma, which the Actions cache refuses in keys; remove it.`,
    );
  }
  if (prefix.length + 1 + HASH_LENGTH > MAX_KEY_LENGTH) {
    throw new ModelshipError(
      `The cache key prefix "${prefix.slice(0, 40)}…" is too long: keys are limited to ${MAX_KEY_LENGTH} characters; shorten it.`,
    );
  }
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._]+/g, '-').replace(/^-+|-+$/g, '') || 'unnamed';
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The files an entry names: itself, the files below a directory, or a glob's matches. */
function expandEntry(root: string, entry: string): string[] {
  const segments = entry.split(/[\\/]/);
  const firstGlob = segments.findIndex((segment) => /[*?[]/.test(segment));
  if (firstGlob < 0) {
    const path = resolve(root, entry);
    const stats = statOrUndefined(path);
    if (!stats) return [];
    return stats.isDirectory()
      ? walk(path, false, Infinity).map((parts) => join(path, ...parts))
      : [path];
  }
  const baseText = segments.slice(0, firstGlob).join('/');
  const base = isAbsolute(entry) && baseText === '' ? '/' : resolve(root, baseText);
  if (!statOrUndefined(base)?.isDirectory()) return [];
  const pattern = segments.slice(firstGlob).filter((segment) => segment !== '');
  // `*` and `**` never match a name that starts with a dot, so dot directories (.git, .venv)
  // are walked only for a pattern that names one.
  const dotted = pattern.some((segment) => segment.startsWith('.'));
  const depth = pattern.includes('**') ? Infinity : pattern.length;
  return walk(base, !dotted, depth)
    .filter((parts) => matchSegments(pattern, parts))
    .map((parts) => join(base, ...parts));
}

/**
 * Every file below a directory down to `depth` segments, as path segments relative to it,
 * optionally skipping dot directories. Symbolic links to files are followed; links to directories are not, so that a
 * loop cannot hang the walk.
 */
function walk(
  dir: string,
  skipDotDirectories: boolean,
  depth: number,
  prefix: string[] = [],
): string[][] {
  const found: string[][] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const parts = [...prefix, entry.name];
    if (entry.isDirectory()) {
      if (parts.length < depth && !(skipDotDirectories && entry.name.startsWith('.'))) {
        found.push(...walk(path, skipDotDirectories, depth, parts));
      }
    } else if (entry.isFile() || (entry.isSymbolicLink() && statOrUndefined(path)?.isFile())) {
      found.push(parts);
    }
  }
  return found;
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): boolean {
  if (pattern.length === 0) return parts.length === 0;
  const [head, ...rest] = pattern as [string, ...string[]];
  if (head === '**') {
    for (let skip = 0; skip <= parts.length; skip++) {
      if (skip > 0 && parts[skip - 1]!.startsWith('.')) break;
      if (matchSegments(rest, parts.slice(skip))) return true;
    }
    return false;
  }
  const [part, ...others] = parts;
  return part !== undefined && segmentRegExp(head).test(part) && matchSegments(rest, others);
}

const segmentCache = new Map<string, RegExp>();

/** One path segment of a glob as a regular expression: `*`, `?` and `[…]` / `[!…]` classes. */
function segmentRegExp(segment: string): RegExp {
  const cached = segmentCache.get(segment);
  if (cached) return cached;
  let source = segment.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < segment.length; i++) {
    const char = segment[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = segment.indexOf(']', i + 2);
      if (close < 0) {
        source += '\\[';
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      source += `[${negated ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
      i = close;
    } else source += char.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  const regExp = new RegExp(`^${source}$`, 's');
  segmentCache.set(segment, regExp);
  return regExp;
}

async function digestFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(createReadStream(path), async (chunks: AsyncIterable<Buffer>) => {
    for await (const chunk of chunks) {
      size += chunk.length;
      hash.update(chunk);
    }
  });
  return { sha256: hash.digest('hex'), size };
}
