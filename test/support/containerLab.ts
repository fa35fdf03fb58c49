/**
 * Real containers for the container and end-to-end tests, as they run on machines
 * without a Docker engine or access to public registries: podman and buildah with runc and the
 * machine's limits, a private image store under a temporary directory (so the test never touches
 * another store), the serving runtime built on its own by scripts/build-serve.mjs (not into
 * dist/, which other tests rewrite) with this machine's onnxruntime binaries beside it, a base
 * image built from scratch with this machine's node and the libraries it and the onnxruntime
 * binding need, and a local registry (Debian's docker-registry) on a free loopback port.
 * Everything started here is stopped by `stop()`, which removes the store too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findServingRuntime } from '../../src/core/deploy/servingRuntime.js';
import { ROOT } from './cli.js';

const READY_TIMEOUT_MS = 20_000;
const TOOLS = ['podman', 'buildah', 'skopeo', 'runc', 'docker-registry'];

export interface ContainerLab {
  /** CONTAINERS_CONF and CONTAINERS_STORAGE_CONF: give these to every podman/buildah call. */
  env: Record<string, string>;
  /** host:port of the local registry (plain HTTP). */
  registry: string;
  /** The base image in the private store (node and its libraries, nothing else). */
  baseImage: string;
  /** An assembled runtime (index.js, onnxruntime/), for --runtime and MODELSHIP_SERVE_RUNTIME. */
  runtime: string;
  /** podman/buildah with the private store's flags, synchronously; throws on a non-zero exit. */
  tool(command: 'podman' | 'buildah' | 'skopeo', args: string[]): string;
  /** The repositories the registry holds. */
  registryCatalog(): Promise<string[]>;
  /** Tags of `repository` in the registry (its HTTP API). */
  registryTags(repository: string): Promise<string[]>;
  /** The manifest digest of `repository:tag` in the registry. */
  registryDigest(repository: string, tag: string): Promise<string | undefined>;
  /** Containers (running or not) in the private store. */
  containers(): string[];
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`docker-registry did not answer ${url} in ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

/**
 * Starts the registry and builds the base image; `dir` holds the store, configs and blobs.
 * `onStop` gets the stop function as soon as there is something to stop, so a caller whose setup
 * times out half-way can still stop what was started.
 */
export async function startContainerLab(
  dir: string,
  onStop?: (stop: () => Promise<void>) => void,
): Promise<ContainerLab> {
  // A failure, not a skip: these tests are what proves the image is built and served.
  const path = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
  const missing = TOOLS.filter(
    (t) => spawnSync('sh', ['-c', `command -v ${t}`], { env: { PATH: path } }).status !== 0,
  );
  if (missing.length > 0) {
    throw new Error(
      `The container tests need ${missing.join(', ')}: apt-get install podman buildah skopeo runc docker-registry (.ci/run does).`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const graph = join(dir, 'storage');
  const run = join(dir, 'run');
  const containersConf = join(dir, 'containers.conf');
  const storageConf = join(dir, 'storage.conf');
  // crun fails here (cgroups in hybrid mode) and podman's default rlimits exceed the machine's.
  writeFileSync(
    containersConf,
    '[containers]\ndefault_ulimits = ["nofile=1024:1024", "nproc=1000:1000"]\n[engine]\nruntime = "runc"\n',
  );
  writeFileSync(
    storageConf,
    `[storage]\ndriver = "overlay"\ngraphroot = "${graph}"\nrunroot = "${run}"\n`,
  );
  const env = { CONTAINERS_CONF: containersConf, CONTAINERS_STORAGE_CONF: storageConf };
  const storeFlags = ['--root', graph, '--runroot', run];
  const tool = (command: 'podman' | 'buildah' | 'skopeo', args: string[]): string => {
    const flags = command === 'skopeo' ? [] : storeFlags;
    const result = spawnSync(command, [...flags, ...args], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}`,
      );
    }
    return result.stdout.trim();
  };

  const port = await freePort();
  const registry = `127.0.0.1:${port}`;
  const registryConf = join(dir, 'registry.yml');
  writeFileSync(
    registryConf,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'registry'))} }, delete: { enabled: true } }`,
      `http: { addr: ${JSON.stringify(registry)} }`,
      '',
    ].join('\n'),
  );
  let output = '';
  const child = spawn('docker-registry', ['serve', registryConf], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  // Should the test process end without afterAll (a crash, a timeout), take the registry along.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= stopAll());
  const stopAll = async (): Promise<void> => {
    const errors: string[] = [];
    // The registry first: it is quick, and nothing may outlive the test.
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    process.off('exit', killOnExit);
    try {
      // Containers the smoke test may have left, then every image and working container of the
      // private store (and only of it: explicit --root), which unmounts their layers.
      for (const id of listContainers()) tool('podman', ['rm', '-f', '-t', '1', id]);
      tool('podman', ['rmi', '-a', '-f']);
      tool('buildah', ['rm', '-a']);
    } catch (error) {
      errors.push(String(error));
    }
    rmSync(dir, { recursive: true, force: true });
    if (errors.length > 0) throw new Error(errors.join('\n'));
  };
  onStop?.(stop);
  const listContainers = () =>
    tool('podman', ['ps', '-a', '--format', '{{.ID}}']).split('\n').filter(Boolean);

  try {
    await waitFor(`http://${registry}/v2/`, child, () => output);
    // Assembled the way an image's runtime folder is: the script, this machine's natives beside it.
    const runtime = join(dir, 'serve');
    const bundled = spawnSync(process.execPath, ['scripts/build-serve.mjs', runtime], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (bundled.status !== 0)
      throw new Error(`building the serving runtime failed:\n${bundled.stdout}${bundled.stderr}`);
    cpSync(findServingRuntime(runtime).natives, join(runtime, 'onnxruntime'), { recursive: true });
    const baseImage = buildBaseImage(tool, runtime);
    return {
      env,
      registry,
      baseImage,
      runtime,
      tool,
      containers: listContainers,
      registryCatalog: async () => {
        const response = await fetch(`http://${registry}/v2/_catalog`);
        const body = (await response.json()) as { repositories?: string[] | null };
        return [...(body.repositories ?? [])].sort();
      },
      registryTags: async (repository) => {
        const response = await fetch(`http://${registry}/v2/${repository}/tags/list`);
        if (response.status === 404) return [];
        const body = (await response.json()) as { tags?: string[] | null };
        return [...(body.tags ?? [])].sort();
      },
      registryDigest: async (repository, tag) => {
        const response = await fetch(`http://${registry}/v2/${repository}/manifests/${tag}`, {
          method: 'HEAD',
          headers: {
            accept: [
              'application/vnd.oci.image.manifest.v1+json',
              'application/vnd.docker.distribution.manifest.v2+json',
              'application/vnd.oci.image.index.v1+json',
            ].join(', '),
          },
        });
        return response.ok
          ? (response.headers.get('docker-content-digest') ?? undefined)
          : undefined;
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}

/**
 * `buildah from scratch` with this machine's node binary, the shared libraries `ldd` lists for it
 * and for the runtime's onnxruntime binding (which brings libonnxruntime itself), and the CA
 * certificates: what the serving runtime needs, without pulling an image.
 */
function buildBaseImage(tool: ContainerLab['tool'], runtime: string): string {
  const image = 'localhost/modelship-test-base:node';
  const node = process.execPath;
  const binding = join(runtime, 'onnxruntime', 'onnxruntime_binding.node');
  const libraries = [
    ...new Set(
      [node, binding]
        .flatMap((file) => [
          ...spawnSync('ldd', [file], { encoding: 'utf8' }).stdout.matchAll(/(\/\S+) \(0x/g),
        ])
        .map((m) => m[1]!)
        .filter((lib) => !lib.startsWith(runtime)),
    ),
  ].sort();
  const container = tool('buildah', ['from', 'scratch']);
  try {
    tool('buildah', ['copy', container, node, '/usr/local/bin/node']);
    for (const library of libraries) tool('buildah', ['copy', container, library, library]);
    tool('buildah', ['copy', container, '/etc/ssl/certs', '/etc/ssl/certs']);
    tool('buildah', ['config', '--env', 'PATH=/usr/local/bin:/usr/bin:/bin', container]);
    tool('buildah', ['commit', '--quiet', container, image]);
  } finally {
    tool('buildah', ['rm', container]);
  }
  return image;
}
