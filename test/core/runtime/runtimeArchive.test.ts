// The runtime archive format: the tar writer and the streaming reader agree however the stream
// is cut into chunks, and installing refuses anything that is not exactly what was built,
// leaving nothing behind. Hostile archives are made here byte by byte.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/core/files/fileDigest.js';
import {
  buildRuntimeArchive,
  installRuntimeArchive,
  installedDigest,
  type RuntimeInfo,
} from '../../../src/core/runtime/runtimeArchive.js';
import { readTarGz, TarReader, writeTarGz } from '../../../src/core/runtime/tarArchive.js';

const scratch = mkdtempSync(join(tmpdir(), 'modelship-runtime-archive-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const INFO: RuntimeInfo = {
  platform: 'linux-x64',
  modelship: '0.0.1',
  duckdb: '1',
  onnxruntime: '1',
};
const FILES = [
  { path: 'duckdb/duckdb.node', data: Buffer.alloc(70_000, 7), mode: 0o755 },
  { path: 'onnxruntime/libonnxruntime.so.1', data: Buffer.from('x'.repeat(1_025)) },
  { path: `deep/${'n'.repeat(90)}/${'m'.repeat(90)}.txt`, data: Buffer.from('long path') },
  { path: 'empty', data: Buffer.alloc(0) },
];

/** A ustar header as any tar tool writes one, without the writer's checks. */
function rawHeader(name: string, size: number, type = '0'): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100);
  block.write('0000644\0', 100);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('        ', 148);
  block.write(type, 156);
  block.write('ustar\u000000', 257);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}

function rawTarGz(entries: { name: string; data: Buffer; type?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    parts.push(rawHeader(e.name, e.data.length, e.type), e.data);
    parts.push(Buffer.alloc((512 - (e.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

const install = (archive: Buffer, sha256 = sha256Hex(archive)) => {
  const target = join(mkdtempSync(join(scratch, 'cache-')), 'linux-x64');
  return {
    target,
    done: installRuntimeArchive(archive, { sha256, source: 'test.tar.gz' }, target),
  };
};

describe('tar archives', () => {
  it('read back what was written, byte for byte, however the stream is chunked', () => {
    const archive = writeTarGz(FILES);
    expect(readTarGz(archive).map((e) => [e.path, e.data])).toEqual(
      FILES.map((f) => [f.path, f.data]),
    );
    const tar = gunzipSync(archive);
    for (const size of [1, 7, 511, 512, 513, 4096]) {
      const got = new Map<string, Buffer[]>();
      const reader = new TarReader((path) => {
        const chunks: Buffer[] = [];
        got.set(path, chunks);
        return { write: (c) => chunks.push(Buffer.from(c)), end: () => undefined };
      });
      for (let at = 0; at < tar.length; at += size) reader.push(tar.subarray(at, at + size));
      reader.finish();
      expect([...got].map(([p, c]) => [p, Buffer.concat(c)])).toEqual(
        FILES.map((f) => [f.path, f.data]),
      );
    }
  });

  it('are reproducible: the same files make the same bytes', () => {
    expect(sha256Hex(buildRuntimeArchive(FILES, INFO))).toBe(
      sha256Hex(buildRuntimeArchive(FILES, INFO)),
    );
  });

  it.each([
    [
      'a path out of the archive',
      [{ name: '../evil', data: Buffer.from('x') }],
      /leaves its folder/,
    ],
    ['an absolute path', [{ name: '/etc/evil', data: Buffer.from('x') }], /not a relative path/],
    ['a symbolic link', [{ name: 'link', data: Buffer.alloc(0), type: '2' }], /not a plain file/],
  ])('refuse %s', (_, entries, message) => {
    expect(() => readTarGz(rawTarGz(entries))).toThrow(message);
  });

  it('refuse a stream cut short, inside a file or before its end marker', () => {
    const tar = gunzipSync(writeTarGz(FILES));
    expect(() => readTarGz(gzipSync(tar.subarray(0, 2000)))).toThrow(/ends inside a file/);
    expect(() => readTarGz(gzipSync(tar.subarray(0, tar.length - 1024)))).toThrow(
      /no end-of-archive marker/,
    );
    const damaged = Buffer.from(tar);
    damaged[10] = 0x41;
    expect(() => readTarGz(gzipSync(damaged))).toThrow(/damaged header at byte 0/);
  });
});

describe('installing a runtime archive', () => {
  it('extracts every file, verified, and marks the folder with the archive digest', async () => {
    const archive = buildRuntimeArchive(FILES, INFO);
    const { target, done } = install(archive);
    await done;
    expect(readFileSync(join(target, 'duckdb/duckdb.node'))).toEqual(FILES[0]!.data);
    expect(JSON.parse(readFileSync(join(target, 'runtime.json'), 'utf8'))).toEqual(INFO);
    expect(installedDigest(target)).toBe(sha256Hex(archive));
    expect(existsSync(`${target}.complete`)).toBe(true);
  });

  it('refuses an archive whose digest is not the expected one, extracting nothing', async () => {
    const { target, done } = install(buildRuntimeArchive(FILES, INFO), 'f'.repeat(64));
    await expect(done).rejects.toThrow(/was refused and nothing was extracted/);
    expect(readdirSync(join(target, '..'))).toEqual([]);
  });

  it.each([
    ['gzip cut short', (a: Buffer) => a.subarray(0, a.length >> 1), /unexpected end of file/],
    [
      'a file that does not match its SHA256SUMS',
      () => {
        const tar = gunzipSync(buildRuntimeArchive(FILES, INFO));
        tar[512] = (tar[512]! + 1) % 256; // the first byte of the first file
        return gzipSync(tar);
      },
      /^.*deep\/n+\/m+\.txt does not match its SHA256SUMS/,
    ],
    [
      'a file its SHA256SUMS does not list',
      () => writeTarGz([...FILES, { path: 'SHA256SUMS', data: Buffer.alloc(0) }]),
      /is not in its SHA256SUMS/,
    ],
    ['no SHA256SUMS', () => writeTarGz(FILES), /no SHA256SUMS/],
    [
      'a file twice',
      () =>
        rawTarGz([
          { name: 'a', data: Buffer.from('1') },
          { name: 'a', data: Buffer.from('2') },
        ]),
      /a is in it twice/,
    ],
  ])('refuses %s and leaves nothing behind', async (_, make, message) => {
    const archive = make(buildRuntimeArchive(FILES, INFO));
    // The digest matches (a mirror could sign anything): the contents must still hold.
    const { target, done } = install(archive);
    await expect(done).rejects.toThrow(message);
    await expect(done).rejects.toThrow(/is not a valid Modelship runtime archive/);
    expect(readdirSync(join(target, '..'))).toEqual([]);
  });
});
