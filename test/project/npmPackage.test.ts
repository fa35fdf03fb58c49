// The npm package as a user gets it: `npm pack` of this checkout (its prepack builds lib/ and
// dist/serve), installed into an empty directory with no .npmrc from a fake registry on 127.0.0.1
// that serves only what this checkout has installed (test/support/localRegistry.ts), so nothing
// beyond this machine is reached. Then `npx modelship` runs from node_modules: --help, the demo
// offline (writing nothing inside the installed package), the serving runtime assembled from the
// package as `image build` assembles it, and a real `image build` + smoke test where podman is.
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';
import { startContainerLab } from '../support/containerLab.js';
import { startLocalRegistry, type LocalRegistry } from '../support/localRegistry.js';
import { systemRequirements } from '../support/systemRequirements.js';

const containers = systemRequirements(['containers']);
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

let work: string;
let project: string;
let installed: string;
let registry: LocalRegistry | undefined;
let packed: { file: string; size: number; unpackedSize: number; files: string[] };
let install: Ran;

/**
 * The environment of a user's shell: none of the npm_* variables `npm test` passes down (the
 * checkout's config among them), no node_modules/.bin of the checkout on PATH, no user .npmrc.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|init_cwd$|vitest|node_env$|node_options$|modelship_)/i.test(key)) continue;
    env[key] = value;
  }
  env.PATH = [
    dirname(process.execPath),
    ...(process.env.PATH ?? '').split(delimiter).filter((p) => !p.includes('node_modules')),
  ].join(delimiter);
  env.npm_config_userconfig = join(work, 'no-user-npmrc');
  // Whatever npm or npx would fetch comes from the local registry, or from nowhere.
  env.npm_config_registry = registry?.url ?? 'http://127.0.0.1:9/';
  env.npm_config_update_notifier = 'false';
  return { ...env, ...extra };
}

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process, which serves the registry npm is talking to. */
function run(
  command: string,
  args: string[],
  cwd: string,
  options: { env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: options.env ?? userEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      stderr += `\n[killed after ${options.timeout ?? 120_000} ms]`;
      child.kill('SIGKILL');
    }, options.timeout ?? 120_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
  });
}

const shown = (r: Ran) => `exit ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`;

/**
 * The checkout as a fresh clone has it (tracked files and new ones git does not ignore), so that
 * packing it neither races with tests that rewrite lib/ and dist/ here nor picks up local output.
 */
function stageCheckout(to: string): void {
  const listed = spawnSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (listed.status === 0) {
    for (const file of listed.stdout.split('\0').filter(Boolean)) {
      const from = join(ROOT, file);
      if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted, or a submodule
      mkdirSync(dirname(join(to, file)), { recursive: true });
      cpSync(from, join(to, file));
    }
  } else {
    // Not a git checkout: everything but what builds and tests write.
    const skip = new Set(['.git', 'node_modules', 'dist', 'lib', 'coverage', '.modelship-out']);
    cpSync(ROOT, to, {
      recursive: true,
      filter: (path) => !skip.has(relative(ROOT, path).split(/[\\/]/)[0]!),
    });
  }
  // The tools prepack runs (tsc, esbuild) and what they compile against.
  symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'), 'dir');
}

/** path → size and mtime of every file under `dir`, to show that nothing wrote there. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        const stat = statSync(path);
        out[relative(dir, path)] = `${stat.size} ${stat.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'modelship-npm-package-'));
  const stage = join(work, 'checkout');
  stageCheckout(stage);
  // Output a user's training run leaves in the example: never part of the package.
  mkdirSync(join(stage, 'examples/credit-risk/artifacts'), { recursive: true });
  writeFileSync(join(stage, 'examples/credit-risk/artifacts/model.onnx'), 'not shipped');

  const started = performance.now();
  const pack = await run(NPM, ['pack', '--json', '--pack-destination', work], stage, {
    timeout: 180_000,
  });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${shown(pack)}`);
  // prepack's and prepare's output comes first on stdout; the JSON report is last.
  const report = (
    JSON.parse(pack.stdout.slice(pack.stdout.search(/^\[/m))) as {
      filename: string;
      size: number;
      unpackedSize: number;
      files: { path: string }[];
    }[]
  )[0]!;
  packed = {
    file: join(work, report.filename),
    size: report.size,
    unpackedSize: report.unpackedSize,
    files: report.files.map((f) => f.path),
  };
  console.log(
    `npm pack: ${report.filename} ${mb(packed.size)} packed, ${mb(packed.unpackedSize)} unpacked, ` +
      `${packed.files.length} files, ${((performance.now() - started) / 1000).toFixed(1)} s with prepack`,
  );

  registry = await startLocalRegistry({
    root: ROOT,
    cacheDir: join(ROOT, 'node_modules', '.cache', 'modelship-local-registry'),
  });
  project = join(work, 'project');
  mkdirSync(project);
  const args = [
    'install',
    packed.file,
    '--registry',
    registry.url,
    '--cache',
    join(work, 'npm-cache'),
    '--no-audit',
    '--no-fund',
  ];
  const before = performance.now();
  install = await run(NPM, args, project, {
    env: userEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip' }),
    timeout: 240_000,
  });
  console.log(
    `npm ${args.join(' ').replaceAll(work, '$TMP')}: ` +
      `${((performance.now() - before) / 1000).toFixed(1)} s, exit ${install.status}` +
      (registry.misses().length ? `; 404 for ${registry.misses().join(', ')}` : ''),
  );
  installed = join(project, 'node_modules', 'modelship');
}, 420_000);

afterAll(async () => {
  await registry?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('carries what the CLI needs, and nothing of the action tree or of local runs', () => {
    for (const file of [
      'package.json',
      'LICENSE',
      'README.md',
      'bin/modelship.js',
      'lib/cli/main.js',
      'lib/index.js',
      'schemas/modelship.schema.json',
      'examples/credit-risk/modelship.yml',
      'examples/credit-risk/train.mjs',
      'examples/credit-risk/data/train.csv',
      'workflows-templates/pr.yml',
      'dist/serve/index.js',
      'dist/serve/package.json',
    ])
      expect(packed.files, file).toContain(file);
    const unwanted = packed.files.filter(
      (f) =>
        /^(lib\/actions|actions|src|test|scripts)\//.test(f) ||
        (f.startsWith('dist/') && !f.startsWith('dist/serve/')) ||
        f === 'action.yml' ||
        f.includes('/artifacts/') ||
        /\.(node|so(\.\d+)*|dylib|dll)$/.test(f),
    );
    expect(unwanted).toEqual([]);
  });
});

describe('installed from the tarball into an empty directory', () => {
  it('installs from the local registry alone, with no .npmrc, and fetches no CUDA parts', () => {
    expect(install.status, shown(install)).toBe(0);
    expect(existsSync(join(project, '.npmrc'))).toBe(false);
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/Unknown (project|user) config/);
    // onnxruntime-node's postinstall, told to skip, downloaded nothing beside its own binaries.
    const natives = join(project, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
    expect(readdirSync(natives).filter((f) => f.includes('providers'))).toEqual([]);
    // The action tree's dependencies stay out of a CLI install.
    expect(existsSync(join(project, 'node_modules', '@actions'))).toBe(false);
    // What npm asked for and this machine lacks (404) is an optional package for another
    // platform, which npm leaves out: @duckdb/node-bindings-darwin-arm64 and the like.
    const lock = JSON.parse(readFileSync(join(project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { optionalDependencies?: Record<string, string> }>;
    };
    const optional = new Set(
      Object.values(lock.packages).flatMap((p) => Object.keys(p.optionalDependencies ?? {})),
    );
    for (const name of registry!.misses()) expect(optional, name).toContain(name);
  });

  it('npx modelship --help', async () => {
    const help = await run(NPX, ['modelship', '--help'], project);
    expect(help.status, shown(help)).toBe(0);
    for (const command of ['demo', 'validate', 'train', 'evaluate', 'image'])
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });

  it('npx modelship demo runs offline and writes only to its output directory', async () => {
    const before = snapshot(installed);
    const demo = await run(NPX, ['modelship', 'demo'], project, { timeout: 180_000 });
    expect(demo.status, shown(demo)).toBe(0);
    expect(demo.stderr).not.toMatch(/\n\s+at /);
    const steps = [...demo.stdout.matchAll(/^(\d)\. ([a-z-+ ]+):/gm)].map((m) => m[2]!.trim());
    expect(steps).toEqual([
      'validate-data',
      'train',
      'evaluate + gate',
      'package',
      'serve',
      'drift-check',
    ]);
    expect(demo.stdout).toMatch(/Demo finished in [\d.]+ s/);
    expect(existsSync(join(project, '.modelship-out/demo/bundle/model.onnx'))).toBe(true);
    expect(snapshot(installed)).toEqual(before);
  });

  it('npx modelship image build --help', async () => {
    const help = await run(NPX, ['modelship', 'image', 'build', '--help'], project);
    expect(help.status, shown(help)).toBe(0);
    for (const option of ['--image', '--runtime', '--natives', '--arch'])
      expect(help.stdout).toContain(option);
  });

  it.runIf(process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch))(
    "assembles the image's serving runtime from the package, and it serves the demo's bundle",
    async () => {
      // What image build writes as its build context, from the installed package's own code.
      const context = join(work, 'context');
      const assemble = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          [
            `const at = (p) => new URL(p, ${JSON.stringify(`${pathToFileURL(installed).href}/`)}).href;`,
            `const { findServingRuntime } = await import(at('lib/core/deploy/servingRuntime.js'));`,
            `const { writeBuildContext } = await import(at('lib/core/deploy/buildContext.js'));`,
            'const runtime = findServingRuntime();',
            `await writeBuildContext({ bundle: '.modelship-out/demo/bundle', runtime, out: ${JSON.stringify(context)} });`,
            'console.log(JSON.stringify(runtime));',
          ].join('\n'),
        ],
        project,
      );
      expect(assemble.status, shown(assemble)).toBe(0);
      const runtime = JSON.parse(assemble.stdout) as { script: string; natives: string };
      expect(runtime.script).toBe(join(installed, 'dist', 'serve'));
      expect(runtime.natives).toBe(
        join(project, 'node_modules/onnxruntime-node/bin/napi-v6/linux', process.arch),
      );
      expect(readdirSync(join(context, 'runtime')).sort()).toEqual([
        'index.js',
        'onnxruntime',
        'package.json',
      ]);

      // The image's entry point, run as the container runs it: no node_modules above it.
      const server = spawn(
        process.execPath,
        [join(context, 'runtime/index.js'), join(context, 'model'), '--port', '0'],
        { cwd: context, env: { PATH: dirname(process.execPath), MODELSHIP_HOST: '127.0.0.1' } },
      );
      let log = '';
      server.stdout.on('data', (c: Buffer) => (log += c.toString()));
      server.stderr.on('data', (c: Buffer) => (log += c.toString()));
      try {
        const url = await new Promise<string>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`not listening:\n${log}`)), 30_000);
          const look = () => {
            const match = /"event":"listening","url":"([^"]+)"/.exec(log);
            if (match) {
              clearTimeout(timer);
              resolve(match[1]!);
            }
          };
          server.stdout.on('data', look);
          server.once('exit', (code) => reject(new Error(`exited with ${code}:\n${log}`)));
        });
        const ready = await fetch(`${url}/v2/health/ready`);
        expect(ready.status, log).toBe(200);
        const predict = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            rows: [
              JSON.parse(readFileSync(join(context, 'model', 'smoke-test.json'), 'utf8')).rows[0],
            ],
          }),
        });
        expect(predict.status, log).toBe(200);
        expect(((await predict.json()) as { labels: string[] }).labels).toHaveLength(1);
      } finally {
        server.kill('SIGTERM');
      }
    },
  );

  it(
    'npx modelship image build and image smoke, with podman',
    { ...containers.options, timeout: 600_000 },
    async () => {
      containers.check();
      const lab = await startContainerLab(join(work, 'lab'));
      try {
        const env = userEnv({ ...lab.env, PATH: `${userEnv().PATH}${delimiter}/usr/sbin:/sbin` });
        const bundle = join(project, '.modelship-out/demo/bundle');
        const tools = ['--builder', 'podman', '--tls-verify', 'false'];
        const repository = `${lab.registry}/npm-package`;
        const build = await run(
          NPX,
          [
            'modelship',
            'image',
            'build',
            bundle,
            '--image',
            repository,
            '--base-image',
            lab.baseImage,
            '--push',
            ...tools,
          ],
          project,
          { env, timeout: 300_000 },
        );
        expect(build.status, shown(build)).toBe(0);
        expect(build.stdout).toContain(`built ${repository}:1.1.0 with podman`);
        const ref = /pushed (\S+@sha256:[0-9a-f]{64})/.exec(build.stdout)?.[1];
        expect(ref, build.stdout).toBeDefined();
        const smoke = await run(
          NPX,
          ['modelship', 'image', 'smoke', ref!, '--bundle', bundle, ...tools],
          project,
          { env, timeout: 180_000 },
        );
        expect(smoke.status, shown(smoke)).toBe(0);
        expect(smoke.stdout).toContain('smoke test passed');
      } finally {
        await lab.stop();
      }
    },
  );
});
