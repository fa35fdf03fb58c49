/**
 * The gzipped tar format of the runtime archives, written and read here so that extraction needs
 * no `tar` on the runner (Windows) and accepts nothing but plain files and folders inside itself.
 */
import { gunzipSync, gzipSync } from 'node:zlib';

/** One regular file of an archive: its path with forward slashes, its bytes and mode. */
export interface TarEntry {
  path: string;
  data: Buffer;
  mode?: number;
}

const BLOCK = 512;

/** A reproducible .tar.gz: entries in the given order, owner 0, a fixed time, folders implied. */
export function writeTarGz(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    checkPath(entry.path);
    blocks.push(header(entry.path, entry.data.length, entry.mode ?? 0o644));
    blocks.push(entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(BLOCK * 2));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}

/** The regular files of a .tar.gz; anything else in it (links, devices, paths out of it) is refused. */
export function readTarGz(archive: Buffer): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive);
  } catch (error) {
    throw new Error(`not a gzip file (${(error as Error).message})`, { cause: error });
  }
  const entries: TarEntry[] = [];
  const reader = new TarReader((path, mode) => {
    const chunks: Buffer[] = [];
    return {
      write: (chunk) => chunks.push(chunk),
      end: () => entries.push({ path, mode, data: Buffer.concat(chunks) }),
    };
  });
  reader.push(tar);
  reader.finish();
  return entries;
}

/** Where a TarReader puts one file's bytes as they arrive. */
export interface TarFileSink {
  write(chunk: Buffer): void;
  end(): void;
}

/**
 * A tar stream read as it arrives, so that a large archive is unpacked without holding it whole:
 * `push` each chunk of the uncompressed stream, then `finish`. Plain files go to the sink `open`
 * returns for them; folders are skipped (made for their files); anything else, a path out of the
 * archive, a damaged header or a stream cut short throws.
 */
export class TarReader {
  private pending = Buffer.alloc(0);
  private file: { sink: TarFileSink | undefined; left: number; pad: number } | undefined;
  private longName: string | undefined;
  private ended = false;
  private offset = 0;

  constructor(private readonly open: (path: string, mode: number) => TarFileSink) {}

  push(chunk: Buffer): void {
    let data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0 && !this.ended) {
      if (this.file) {
        const take = Math.min(this.file.left, data.length);
        if (take > 0) this.file.sink?.write(data.subarray(0, take));
        this.file.left -= take;
        data = data.subarray(take);
        if (this.file.left > 0) return;
        const skip = Math.min(this.file.pad, data.length);
        this.file.pad -= skip;
        data = data.subarray(skip);
        if (this.file.pad > 0) return;
        this.file.sink?.end();
        this.file = undefined;
        continue;
      }
      if (data.length < BLOCK) break;
      this.header(data.subarray(0, BLOCK));
      this.offset += BLOCK;
      data = data.subarray(BLOCK);
    }
    if (!this.ended) this.pending = Buffer.from(data);
  }

  /** Checks that the stream ended where a tar archive ends. */
  finish(): void {
    if (this.file) throw new Error('it ends inside a file (cut short?)');
    if (!this.ended) throw new Error('it has no end-of-archive marker (cut short?)');
  }

  private header(block: Buffer): void {
    if (block.every((b) => b === 0)) {
      this.ended = true;
      return;
    }
    if (checksumOf(block) !== Number.parseInt(text(block, 148, 8) || '0', 8))
      throw new Error(`a damaged header at byte ${this.offset}`);
    const size = Number.parseInt(text(block, 124, 12) || '0', 8);
    const type = String.fromCharCode(block[156] ?? 0);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    this.offset += size + pad;
    if (type === 'L') {
      // GNU long name: the next header's path is this entry's data.
      const parts: Buffer[] = [];
      const sink = {
        write: (c: Buffer) => parts.push(Buffer.from(c)),
        end: () => (this.longName = Buffer.concat(parts).toString('utf8').replace(/\0+$/, '')),
      };
      if (size === 0) throw new Error(`an empty long name at byte ${this.offset}`);
      this.file = { sink, left: size, pad };
      return;
    }
    const prefix = text(block, 345, 155);
    const path =
      this.longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100));
    this.longName = undefined;
    if (type === '5') return; // folders are made for the files in them
    if (type !== '0' && type !== '\0') throw new Error(`${path} is not a plain file`);
    checkPath(path);
    const sink = this.open(path, Number.parseInt(text(block, 100, 8), 8));
    this.file = { sink, left: size, pad };
    if (size === 0 && pad === 0) {
      sink.end();
      this.file = undefined;
    }
  }
}

function header(path: string, size: number, mode: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  let name = path;
  let prefix = '';
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100)
      throw new Error(`${path}: too long for a tar header`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  block.write(name, 0, 100, 'utf8');
  block.write(octal(mode, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(0, 12), 136); // a fixed time: the same inputs make the same bytes
  block.write('        ', 148);
  block.write('0', 156);
  block.write('ustar\u000000', 257);
  block.write(prefix, 345, 155, 'utf8');
  block.write(octal(checksumOf(block), 8), 148);
  return block;
}

function checkPath(path: string): void {
  const parts = path.split('/');
  if (!path || path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\'))
    throw new Error(`${path} is not a relative path`);
  if (parts.some((p) => p === '..' || p === '' || p === '.'))
    throw new Error(`${path} leaves its folder`);
}

function checksumOf(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return sum;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

function text(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw
    .subarray(0, end < 0 ? length : end)
    .toString('utf8')
    .trim();
}
