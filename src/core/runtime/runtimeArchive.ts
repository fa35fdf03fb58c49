/**
 * A native runtime archive: one platform's DuckDB and onnxruntime bindings with their libraries,
 * a runtime.json saying what they are, and a SHA256SUMS of every file in it.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createGunzip } from 'node:zlib';
import { dirname, join } from 'node:path';
import { ModelshipError, messageOf } from '../errors.js';
import { sha256Hex } from '../files/fileDigest.js';
import { parseSha256Sums, SHA256SUMS, sha256sums } from '../release/checksums.js';
import type { RuntimePlatform } from './platform.js';
import { TarReader, writeTarGz, type TarEntry } from './tarArchive.js';

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
  const sums = sha256sums(
    all.map((f) => ({ name: f.path, sha256: sha256Hex(f.data) })),
    { paths: true },
  );
  return writeTarGz([...all, { path: SHA256SUMS, data: Buffer.from(sums) }]);
}

/** A runtime archive that is not what it should be (as opposed to a folder that cannot be written). */
class InvalidArchive extends Error {}

/**
 * Checks an archive against the digest this build of Modelship expects, then extracts it into
 * `target` all at once: streamed into a sibling folder first (the unpacked runtime is never held
 * in memory whole), renamed into place only when every file matches the archive's SHA256SUMS. A
 * refused archive leaves nothing behind. Callers check installedDigest first: a folder already
 * holding this archive is used as it is.
 */
export async function installRuntimeArchive(
  archive: Buffer,
  expected: { sha256: string; source: string },
  target: string,
): Promise<void> {
  const actual = sha256Hex(archive);
  if (actual !== expected.sha256)
    throw new ModelshipError(
      `${expected.source} has SHA-256 ${actual}, not the ${expected.sha256} this Modelship release was built with, so it was refused and nothing was extracted; check MODELSHIP_RUNTIME_URL or the mirror it points at.`,
    );
  const staging = `${target}.partial-${process.pid}-${Date.now()}`;
  try {
    await extractVerified(archive, staging);
    writeFileSync(join(staging, INSTALLED_MARKER), `${actual}\n`);
    // A folder from another build of this version (its digest differs): replaced whole.
    if (existsSync(target)) rmSync(target, { recursive: true, force: true });
    renameSync(staging, target);
    // What @actions/tool-cache writes beside a finished tool, so its find() sees this one too.
    writeFileSync(`${target}.complete`, '');
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (error instanceof InvalidArchive)
      throw new ModelshipError(
        `${expected.source} is not a valid Modelship runtime archive (${error.message}); nothing was extracted.`,
      );
    // Another job on the same runner may have put the same runtime in place first.
    if (installedDigest(target) === actual) return;
    throw new ModelshipError(
      `could not extract ${expected.source} into ${target} (${messageOf(error)}); check that the runner's tool cache is writable.`,
    );
  }
}

/** Unpacks a .tar.gz into `dir` (created), hashing each file as it is written, then checks them all. */
async function extractVerified(archive: Buffer, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const written = new Map<string, string>();
  let sums = '';
  const reader = new TarReader((path, mode) => {
    const file = join(dir, ...path.split('/'));
    mkdirSync(dirname(file), { recursive: true });
    let fd: number;
    try {
      fd = openSync(file, 'wx', mode & 0o777);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new InvalidArchive(`${path} is in it twice`);
      throw error;
    }
    const hash = createHash('sha256');
    const kept: Buffer[] = [];
    return {
      write(chunk) {
        writeSync(fd, chunk);
        hash.update(chunk);
        if (path === SHA256SUMS) kept.push(Buffer.from(chunk));
      },
      end() {
        closeSync(fd);
        written.set(path, hash.digest('hex'));
        if (path === SHA256SUMS) sums = Buffer.concat(kept).toString('utf8');
      },
    };
  });
  const gunzip = createGunzip();
  gunzip.end(archive);
  try {
    for await (const chunk of gunzip) reader.push(chunk as Buffer);
    reader.finish();
  } catch (error) {
    if (error instanceof InvalidArchive || !(error as NodeJS.ErrnoException).syscall)
      throw new InvalidArchive(messageOf(error));
    throw error;
  }
  checkSums(written, sums);
}

function checkSums(written: Map<string, string>, sums: string): void {
  if (!written.has(SHA256SUMS)) throw new InvalidArchive(`it has no ${SHA256SUMS}`);
  let listed: Map<string, string>;
  try {
    listed = parseSha256Sums(sums, SHA256SUMS);
  } catch (error) {
    throw new InvalidArchive(messageOf(error));
  }
  for (const [path, digest] of written) {
    if (path === SHA256SUMS) continue;
    const expected = listed.get(path);
    if (expected === undefined) throw new InvalidArchive(`${path} is not in its SHA256SUMS`);
    if (expected !== digest) throw new InvalidArchive(`${path} does not match its SHA256SUMS`);
    listed.delete(path);
  }
  if (listed.size)
    throw new InvalidArchive(`${[...listed.keys()][0]} is in its SHA256SUMS but missing`);
}
