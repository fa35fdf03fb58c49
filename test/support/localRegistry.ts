/**
 * A fake npm registry on 127.0.0.1 that serves exactly the packages this checkout has installed:
 * `GET /<name>` (a scoped name as `@scope%2fname`) answers a packument with one version per
 * folder of node_modules that package-lock.json lists, and each version's tarball is made from
 * that folder (its own node_modules/ left out) as npm's are: a gzipped tar under `package/`, its
 * dist.integrity (sha512) and dist.shasum (sha1) computed from the bytes served. Anything else is
 * a 404, so an install against it proves the package needs nothing beyond this machine.
 *
 * Tarballs are made with GNU tar on first request and kept under `cacheDir` (keyed by folder,
 * version and package.json mtime), so a second run starts at once.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';

export interface LocalRegistry {
  /** http://127.0.0.1:<port>/, for npm's --registry. */
  url: string;
  /** Every request, as `<status> <path>`, in order. */
  log: string[];
  /** Names asked for that this checkout does not have (answered 404). */
  misses(): string[];
  close(): Promise<void>;
}

interface Installed {
  folder: string;
  manifest: Record<string, unknown>;
}

interface Tarball {
  file: string;
  integrity: string;
  shasum: string;
}

/** Fields of an installed package.json that are not part of a registry manifest. */
const NOT_IN_MANIFEST = new Set(['readme', 'readmeFilename', 'devDependencies', 'gitHead']);

/** name → version → folder, for every folder package-lock.json lists that is on disk. */
function installedPackages(root: string): Map<string, Map<string, Installed>> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { link?: boolean }>;
  };
  const found = new Map<string, Map<string, Installed>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || entry.link) continue;
    const folder = join(root, path);
    const packageJson = join(folder, 'package.json');
    if (!existsSync(packageJson)) continue; // an optional package for another platform
    const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as Record<string, unknown>;
    const name = manifest.name;
    const version = manifest.version;
    if (typeof name !== 'string' || typeof version !== 'string') continue;
    const versions = found.get(name) ?? new Map<string, Installed>();
    if (!versions.has(version)) versions.set(version, { folder, manifest });
    found.set(name, versions);
  }
  return found;
}

/** `folder` as npm packs it: tar under package/, gzipped; written to `file` atomically. */
async function makeTarball(folder: string, file: string): Promise<void> {
  const partial = `${file}.${process.pid}.partial`;
  const tar = spawn(
    'tar',
    [
      '--create',
      '--file=-',
      `--directory=${folder}`,
      '--exclude=./node_modules',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      // ./x → package/x, member names only (symlink targets stay as they are).
      '--transform=s,^\\.,package,S',
      '.',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  tar.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => tar.once('close', resolve));
  try {
    await pipeline(tar.stdout, createGzip({ level: 1 }), createWriteStream(partial));
    const code = await exited;
    if (code !== 0) throw new Error(`tar of ${folder} exited with ${code}: ${stderr}`);
    renameSync(partial, file);
  } finally {
    rmSync(partial, { force: true });
  }
}

async function digests(file: string): Promise<{ integrity: string; shasum: string }> {
  const sha512 = createHash('sha512');
  const sha1 = createHash('sha1');
  for await (const chunk of createReadStream(file)) {
    sha512.update(chunk as Buffer);
    sha1.update(chunk as Buffer);
  }
  return { integrity: `sha512-${sha512.digest('base64')}`, shasum: sha1.digest('hex') };
}

export async function startLocalRegistry(options: {
  /** The checkout whose package-lock.json and node_modules are served. */
  root: string;
  /** Where tarballs are kept between runs. */
  cacheDir: string;
}): Promise<LocalRegistry> {
  const packages = installedPackages(options.root);
  mkdirSync(options.cacheDir, { recursive: true });
  const tarballs = new Map<string, Promise<Tarball>>();
  const log: string[] = [];
  const missed = new Set<string>();

  const tarball = (name: string, version: string, installed: Installed): Promise<Tarball> => {
    const key = `${name}@${version}`;
    let made = tarballs.get(key);
    if (!made) {
      const stamp = createHash('sha1')
        .update(
          `${installed.folder}\0${version}\0${statSync(join(installed.folder, 'package.json')).mtimeMs}`,
        )
        .digest('hex')
        .slice(0, 12);
      const file = join(options.cacheDir, `${name.replace('/', '+')}-${version}-${stamp}.tgz`);
      made = (async () => {
        if (!existsSync(file)) await makeTarball(installed.folder, file);
        return { file, ...(await digests(file)) };
      })();
      tarballs.set(key, made);
    }
    return made;
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.push(`500 ${request.url}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    });
  });

  const base = (request: IncomingMessage) => `http://${request.headers.host ?? '127.0.0.1'}`;
  const notFound = (response: ServerResponse, path: string) => {
    log.push(`404 ${path}`);
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end('{"error":"not found"}');
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') return notFound(response, path);
    // Tarballs: /-/tarball/<encoded name>/<version>.tgz
    const asTarball = /^\/-\/tarball\/([^/]+)\/(.+)\.tgz$/.exec(path);
    if (asTarball) {
      const name = decodeURIComponent(asTarball[1]!);
      const version = decodeURIComponent(asTarball[2]!);
      const installed = packages.get(name)?.get(version);
      if (!installed) return notFound(response, path);
      const { file } = await tarball(name, version, installed);
      log.push(`200 ${path}`);
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': statSync(file).size,
      });
      if (request.method === 'HEAD') return void response.end();
      await pipeline(createReadStream(file), response);
      return;
    }
    const name = decodeURIComponent(path.slice(1));
    const versions = packages.get(name);
    if (!versions) {
      missed.add(name);
      return notFound(response, path);
    }
    const entries = await Promise.all(
      [...versions].map(async ([version, installed]) => {
        const { integrity, shasum } = await tarball(name, version, installed);
        const manifest = Object.fromEntries(
          Object.entries(installed.manifest).filter(
            ([key]) => !NOT_IN_MANIFEST.has(key) && !key.startsWith('_'),
          ),
        );
        const dist = {
          tarball: `${base(request)}/-/tarball/${encodeURIComponent(name)}/${encodeURIComponent(version)}.tgz`,
          integrity,
          shasum,
        };
        return [version, { ...manifest, name, version, _hasShrinkwrap: false, dist }] as const;
      }),
    );
    const latest = [...versions.keys()].sort(compareVersions).at(-1)!;
    const body = JSON.stringify({
      name,
      'dist-tags': { latest },
      versions: Object.fromEntries(entries),
    });
    log.push(`200 ${path}`);
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    log,
    misses: () => [...missed].sort(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Semver order of plain x.y.z[-pre] versions, enough to pick dist-tags.latest. */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split(/-(.*)/s);
    return { parts: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return d;
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
