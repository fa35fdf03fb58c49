/**
 * A native runtime archive: one platform's DuckDB and onnxruntime bindings with their libraries,
 * a runtime.json saying what they are, and a SHA256SUMS of every file in it.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModelshipError, messageOf } from '../errors.js';
import { sha256Hex } from '../release/checksums.js';
import type { RuntimePlatform } from './platform.js';
import { readTarGz, writeTarGz, type TarEntry } from './tarArchive.js';

/** Where each binding sits inside an archive (and so inside the extracted runtime folder). */
export const NATIVE_BINDINGS = {
  duckdb: 'duckdb/duckdb.node',
  onnxruntime: 'onnxruntime/onnxruntime_binding.node',
} as const;

/** What runtime.json records. */
export interface RuntimeInfo {
  platform: RuntimePlatform;
  modelship: string;
  duckdb: string;
  onnxruntime: string;
}

/** Written last into an extracted runtime: the digest of the archive it came from. */
const INSTALLED_MARKER = '.archive-sha256';

/** The digest of the archive a runtime folder was extracted from, if it was extracted whole. */
export function installedDigest(target: string): string | undefined {
  try {
    return readFileSync(join(target, INSTALLED_MARKER), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The release asset name of a platform's runtime archive. */
export function runtimeArchiveName(version: string, platform: RuntimePlatform): string {
  return `modelship-runtime-${version}-${platform}.tar.gz`;
}

/** The archive's bytes: the given files, runtime.json, then SHA256SUMS covering both. */
export function buildRuntimeArchive(files: TarEntry[], info: RuntimeInfo): Buffer {
  const all = [
    ...files,
    { path: 'runtime.json', data: Buffer.from(`${JSON.stringify(info, null, 2)}\n`) },
  ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const sums = all.map((f) => `${sha256Hex(f.data)}  ${f.path}\n`).join('');
  return writeTarGz([...all, { path: 'SHA256SUMS', data: Buffer.from(sums) }]);
}

/**
 * Checks an archive against the digest this build of Modelship expects, then extracts it into
 * `target` all at once: into a sibling folder first, renamed into place only when every file
 * matches the archive's SHA256SUMS. A refused archive leaves nothing behind. Callers check
 * installedDigest first: a folder already holding this archive is used as it is.
 */
export function installRuntimeArchive(
  archive: Buffer,
  expected: { sha256: string; source: string },
  target: string,
): void {
  const actual = sha256Hex(archive);
  if (actual !== expected.sha256)
    throw new ModelshipError(
      `${expected.source} has SHA-256 ${actual}, not the ${expected.sha256} this Modelship release was built with, so it was refused and nothing was extracted; check MODELSHIP_RUNTIME_URL or the mirror it points at.`,
    );
  let entries: TarEntry[];
  try {
    entries = readTarGz(archive);
    checkSums(entries);
  } catch (error) {
    throw new ModelshipError(
      `${expected.source} is not a valid Modelship runtime archive (${messageOf(error)}); nothing was extracted.`,
    );
  }
  const staging = `${target}.partial-${process.pid}-${Date.now()}`;
  try {
    // A folder from another build of this version (its digest differs): replaced whole.
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    for (const entry of entries) {
      const path = join(staging, ...entry.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, entry.data, { mode: entry.mode ?? 0o644 });
    }
    writeFileSync(join(staging, INSTALLED_MARKER), `${actual}\n`);
    renameSync(staging, target);
    // What @actions/tool-cache writes beside a finished tool, so its find() sees this one too.
    writeFileSync(`${target}.complete`, '');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another job on the same runner may have put the same runtime in place first.
    if (installedDigest(target) === actual) return;
    throw new ModelshipError(
      `could not extract ${expected.source} into ${target} (${messageOf(error)}); check that the runner's tool cache is writable.`,
    );
  }
}

function checkSums(entries: TarEntry[]): void {
  const sums = entries.find((e) => e.path === 'SHA256SUMS');
  if (!sums) throw new Error('it has no SHA256SUMS');
  const listed = new Map<string, string>();
  for (const line of sums.data.toString('utf8').split('\n')) {
    const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (match) listed.set(match[2]!, match[1]!);
    else if (line) throw new Error(`SHA256SUMS has a malformed line "${line.slice(0, 80)}"`);
  }
  for (const entry of entries) {
    if (entry.path === 'SHA256SUMS') continue;
    const digest = listed.get(entry.path);
    if (digest === undefined) throw new Error(`${entry.path} is not in its SHA256SUMS`);
    if (digest !== sha256Hex(entry.data))
      throw new Error(`${entry.path} does not match its SHA256SUMS`);
    listed.delete(entry.path);
  }
  if (listed.size) throw new Error(`${[...listed.keys()][0]} is in its SHA256SUMS but missing`);
}
