// The deploy step's pure parts: the Containerfile, OCI labels, Kubernetes manifests, the bundle's
// smoke-test.json and its comparison (against the real serving runtime in process), image names,
// which deployment a re-run reuses, the one-sentence errors of a missing builder, and the serving
// runtime an image carries (scripts/build-serve.mjs, assembled with its natives, run from a build
// context).
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../../../src/cli/main.js';
import { loadConfig } from '../../../src/core/config/modelshipConfig.js';
import { writeBuildContext } from '../../../src/core/deploy/buildContext.js';
import { renderContainerfile, SERVING_USER } from '../../../src/core/deploy/containerfile.js';
import { ImageBuilder } from '../../../src/core/deploy/imageBuilder.js';
import { checkRepository, registryOf, versionTag } from '../../../src/core/deploy/imageRef.js';
import { isDigestPinned, renderManifests } from '../../../src/core/deploy/k8sManifests.js';
import { MODEL_DIGEST_LABEL, ociLabels } from '../../../src/core/deploy/ociLabels.js';
import { readReleaseManifest } from '../../../src/core/deploy/releaseManifest.js';
import { findServingRuntime } from '../../../src/core/deploy/servingRuntime.js';
import {
  compareInfer,
  comparePredict,
  describeComparison,
} from '../../../src/core/deploy/smokeCompare.js';
import { readSmokeTestData, runSmokeTest } from '../../../src/core/deploy/smokeTest.js';
import type { SmokeTestData } from '../../../src/core/release/smokeTestFormat.js';
import { writeReleaseBundle, type ReleaseBundle } from '../../../src/core/release/bundle.js';
import { createServer } from '../../../src/core/serve/server.js';
import { reusableDeployment, type DeploymentRecord } from '../../../src/github/deployments.js';
import { trainModel, writeProject } from '../../support/evaluateProject.js';
import { ROOT } from '../../support/cli.js';
import { useTempDir } from '../../support/tempDir.js';

const dir = useTempDir();
const DIGEST = `sha256:${'ab'.repeat(32)}`;
let bundle: ReleaseBundle;
let smoke: SmokeTestData;

beforeAll(async () => {
  const model = join(dir, 'model.onnx');
  writeFileSync(model, await trainModel({ l2: 1 }));
  bundle = await writeReleaseBundle({
    loaded: loadConfig(writeProject(join(dir, 'project'), { model })),
    out: join(dir, 'bundle'),
    version: '1.3.0',
    commit: 'c'.repeat(40),
    now: new Date('2026-01-02T03:04:05Z'),
    executionProviders: ['cpu'],
  });
  smoke = readSmokeTestData(join(bundle.dir, 'smoke-test.json'));
});

describe('the Containerfile', () => {
  const text = renderContainerfile({
    baseImage: 'localhost/base:1',
    labels: { 'org.opencontainers.image.version': '1.3.0', 'x.y': 'a "quoted" $HOME' },
  });
  const lines = text.split('\n');
  const at = (pattern: RegExp) => lines.findIndex((l) => pattern.test(l));

  it('builds base → runtime → model, the model as the last layer', () => {
    expect(lines[1]).toBe('ARG BASE_IMAGE=localhost/base:1');
    expect(lines[2]).toBe('FROM ${BASE_IMAGE}');
    const layers = lines.filter((l) => /^(COPY|ADD|RUN) /.test(l));
    expect(layers).toEqual([
      'COPY runtime/ /opt/modelship/runtime/',
      'COPY model/ /opt/modelship/model/',
    ]);
    // Labels change with every version: after the layers, so they never invalidate them.
    expect(at(/^LABEL/)).toBeGreaterThan(at(/^COPY model\//));
  });

  it('runs as a numeric non-root user, exposes 8080 and checks /v2/health/ready with node', () => {
    expect(lines).toContain(`USER ${SERVING_USER}:${SERVING_USER}`);
    expect(SERVING_USER).toBeGreaterThan(0);
    expect(lines).toContain('EXPOSE 8080');
    const health = lines.slice(at(/^HEALTHCHECK/), at(/^HEALTHCHECK/) + 2).join('\n');
    expect(health).toContain('CMD ["node", "-e",');
    expect(health).toContain('http://127.0.0.1:8080/v2/health/ready');
    expect(health).not.toMatch(/curl|wget/);
    expect(lines).toContain('ENTRYPOINT ["node", "/opt/modelship/runtime/index.js"]');
  });

  it('quotes label values, keeping $ from variable expansion', () => {
    expect(text).toContain('  x.y="a \\"quoted\\" \\$HOME"');
    expect(text).toContain('org.opencontainers.image.version="1.3.0"');
  });

  it('defaults to node:20-bookworm-slim', () => {
    expect(renderContainerfile()).toContain(
      'ARG BASE_IMAGE=docker.io/library/node:20-bookworm-slim',
    );
  });
});

describe('OCI labels', () => {
  it('name the version, commit, source, release time and model digest', () => {
    const labels = ociLabels({
      manifest: bundle.manifest,
      source: 'https://github.com/owner/repo',
      baseImage: 'localhost/base:1',
    });
    expect(labels).toMatchObject({
      'org.opencontainers.image.title': 'credit-risk',
      'org.opencontainers.image.version': '1.3.0',
      'org.opencontainers.image.revision': 'c'.repeat(40),
      'org.opencontainers.image.source': 'https://github.com/owner/repo',
      'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
      'io.modelship.model.tag': 'credit-risk-v1.3.0',
      [MODEL_DIGEST_LABEL]: `sha256:${bundle.manifest.files['model.onnx']!.sha256}`,
    });
  });
});

describe('Kubernetes manifests', () => {
  const image = `ghcr.io/owner/credit-risk@${DIGEST}`;
  const { files } = renderManifests({ name: 'credit-risk', version: '1.3.0', image });
  const docs = (name: string) =>
    parseAllDocuments(files[name]!).map((d) => d.toJSON() as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any

  it('are a Deployment and a Service pinned by digest, probing the v2 health routes', () => {
    const [deployment, service] = docs('deployment.yaml');
    expect(deployment!.kind).toBe('Deployment');
    const container = deployment!.spec.template.spec.containers[0];
    expect(container.image).toBe(image);
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/v2/health/live');
    expect(container.ports[0].containerPort).toBe(8080);
    expect(container.resources.requests).toMatchObject({ cpu: '250m', memory: '256Mi' });
    expect(container.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: SERVING_USER,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
    expect(deployment!.spec.selector.matchLabels).toEqual(
      expect.objectContaining({ 'app.kubernetes.io/name': 'credit-risk' }),
    );
    expect(service!.kind).toBe('Service');
    expect(service!.spec.selector).toEqual(deployment!.spec.selector.matchLabels);
  });

  it('have a KServe InferenceService with the image as its custom predictor', () => {
    const [isvc] = docs('inferenceservice.yaml');
    expect(isvc).toMatchObject({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: { name: 'credit-risk' },
    });
    const container = isvc!.spec.predictor.containers[0];
    expect(container).toMatchObject({ name: 'kserve-container', image });
    expect(container.readinessProbe.httpGet.path).toBe('/v2/health/ready');
  });

  it('refuse an image not pinned by digest', () => {
    expect(isDigestPinned('ghcr.io/o/m:1.3.0')).toBe(false);
    expect(() => renderManifests({ name: 'm', version: '1', image: 'ghcr.io/o/m:1' })).toThrow();
  });
});

describe("the bundle's smoke-test.json", () => {
  it('holds the first 50 evaluation rows as the CSV has them, with their predictions', () => {
    expect(bundle.files.map((f) => f.name)).toContain('smoke-test.json');
    expect(readFileSync(join(bundle.dir, 'SHA256SUMS'), 'utf8')).toContain('  smoke-test.json\n');
    expect(smoke.rows).toHaveLength(50);
    expect(smoke.rows[0]).toHaveProperty('checking_status');
    expect(smoke.rows[0]).not.toHaveProperty('class');
    expect(smoke.expected.kind).toBe('binary');
    if (smoke.expected.kind !== 'binary') return;
    expect(smoke.expected.probabilities).toHaveLength(50);
    if (!('data' in smoke.inputs)) throw new Error('expected one [rows, F] input');
    expect(smoke.inputs.data).toHaveLength(50);
    expect(smoke.inputs.data[0]).toHaveLength(26);
    expect(smoke.tolerance).toBe(1e-5);
  });

  it('is verified with the rest of the bundle before an image is built', async () => {
    await expect(readReleaseManifest(bundle.dir)).resolves.toMatchObject({ version: '1.3.0' });
  });
});

describe('the smoke comparison', () => {
  const binary = () => {
    if (smoke.expected.kind !== 'binary') throw new Error('binary expected');
    return smoke.expected;
  };
  const answer = (shift: number) => ({
    labels: binary().probabilities.map((p) => (p + shift >= 0.5 ? 'bad' : 'good')),
    probabilities: binary().probabilities.map((p) => p + shift),
  });

  it('passes within 1e-5 and fails beyond it', () => {
    expect(comparePredict(smoke, answer(9e-6)).passed).toBe(true);
    const failed = comparePredict(smoke, answer(2e-5));
    expect(failed.passed).toBe(false);
    expect(failed.mismatches[0]).toMatchObject({ row: 1, what: 'P(bad)' });
    expect(describeComparison(failed)).toMatch(
      /^\/predict: row 1 P\(bad\) is .* but the bundle recorded/,
    );
  });

  it('fails a label on the wrong side of the threshold', () => {
    const flipped = answer(0);
    flipped.labels[3] = flipped.labels[3] === 'bad' ? 'good' : 'bad';
    const result = comparePredict(smoke, flipped);
    expect(result.mismatches).toEqual([expect.objectContaining({ row: 4, what: 'label' })]);
  });

  it('fails an answer it cannot read, NaN, and a short list', () => {
    expect(comparePredict(smoke, { error: 'x' }).problem).toBeDefined();
    const nan = answer(0);
    nan.probabilities[0] = NaN;
    expect(comparePredict(smoke, nan).passed).toBe(false);
    expect(comparePredict(smoke, { ...answer(0), labels: ['bad'] }).passed).toBe(false);
  });

  it('reads the [N, 2] infer output', () => {
    const data = binary().probabilities.flatMap((p) => [1 - p, p]);
    const body = { outputs: [{ name: smoke.inputs.output, shape: [50, 2], data }] };
    expect(compareInfer(smoke, body).passed).toBe(true);
    expect(compareInfer(smoke, { outputs: [] }).problem).toMatch(/no output named/);
  });

  it('passes against the real serving runtime, and fails a server with another model', async () => {
    const { config } = loadConfig(join(bundle.dir, 'modelship.yml'));
    const serve = async (modelPath: string) => {
      const server = createServer({ modelPath, config, executionProviders: ['cpu'] });
      await server.ready;
      return { server, url: (await server.listen(0, '127.0.0.1')).url };
    };
    const good = await serve(join(bundle.dir, 'model.onnx'));
    const otherModel = join(dir, 'other.onnx');
    writeFileSync(otherModel, await trainModel({ l2: 3000, rows: 100 }));
    const other = await serve(otherModel);
    try {
      const passed = await runSmokeTest({ url: good.url, data: smoke });
      expect(passed).toMatchObject({ passed: true, reason: '' });
      expect(passed.comparisons.map((c) => c.route)).toEqual([
        '/predict',
        '/v2/models/credit-risk/infer',
      ]);
      const failed = await runSmokeTest({ url: other.url, data: smoke });
      expect(failed.passed).toBe(false);
      expect(failed.reason).toMatch(/^\/predict: row \d+ P\(bad\) is .* but the bundle recorded/);
      const nobody = await runSmokeTest({
        url: 'http://127.0.0.1:9',
        data: smoke,
        readyTimeoutMs: 300,
      });
      expect(nobody.reason).toMatch(/^\/v2\/health\/ready did not answer 200 within 0 s/);
    } finally {
      await good.server.close();
      await other.server.close();
    }
  });
});

describe('image names', () => {
  it('accepts repositories and refuses tags, digests and capitals', () => {
    expect(checkRepository('ghcr.io/owner/credit-risk')).toBe('ghcr.io/owner/credit-risk');
    expect(checkRepository('127.0.0.1:5000/credit-risk')).toBe('127.0.0.1:5000/credit-risk');
    for (const bad of ['ghcr.io/o/m:1.0', 'ghcr.io/Owner/m', `ghcr.io/o/m@${DIGEST}`, ''])
      expect(() => checkRepository(bad)).toThrow(/is not an image repository/);
  });

  it('finds the registry and makes semver a tag', () => {
    expect(registryOf('ghcr.io/o/m')).toBe('ghcr.io');
    expect(registryOf('127.0.0.1:5000/m')).toBe('127.0.0.1:5000');
    expect(registryOf('library/node')).toBe('docker.io');
    expect(versionTag('1.2.0+build.5')).toBe('1.2.0-build.5');
  });
});

describe('which deployment a re-run reuses', () => {
  const record = (id: number, ref: string, digest: string): DeploymentRecord => ({
    id,
    ref,
    environment: 'production',
    payload: { digest },
    state: 'success',
  });

  it('the newest, when it records the same release and digest', () => {
    expect(reusableDeployment([record(2, 'm-v1.1.0', DIGEST)], 'm-v1.1.0', DIGEST)?.id).toBe(2);
    expect(reusableDeployment([record(2, 'm-v1.1.0', 'sha256:x')], 'm-v1.1.0', DIGEST)).toBe(
      undefined,
    );
    expect(reusableDeployment([], 'm-v1.1.0', DIGEST)).toBe(undefined);
  });

  it('never an older one: deploying it again is a rollback, which must become the newest', () => {
    const history = [record(3, 'm-v1.1.0', 'sha256:new'), record(2, 'm-v1.0.0', DIGEST)];
    expect(reusableDeployment(history, 'm-v1.0.0', DIGEST)).toBe(undefined);
  });
});

describe('without a container builder', () => {
  const empty = { PATH: dir };

  it('says which tools to install, in one sentence', async () => {
    await expect(ImageBuilder.detect('auto', { env: empty })).rejects.toThrow(
      /^No container builder found on PATH; install Docker with buildx, podman or buildah \(on Debian and Ubuntu: apt-get install podman buildah skopeo runc\), or set builder to one that is installed\.$/,
    );
    await expect(ImageBuilder.detect('podman', { env: empty })).rejects.toThrow(
      /^builder podman: podman is not on PATH; install/,
    );
    await expect(ImageBuilder.detect('docker', { env: empty })).rejects.toThrow(
      /^builder docker: docker is not on PATH/,
    );
  });

  it('modelship image build exits 2 with that sentence', async () => {
    const stderr: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      stderr.push(String(chunk));
      return true;
    });
    const path = process.env.PATH;
    process.env.PATH = dir;
    try {
      const code = await main([
        'image',
        'build',
        bundle.dir,
        '--image',
        '127.0.0.1:5000/credit-risk',
        '--builder',
        'buildah',
      ]);
      expect(code).toBe(2);
      expect(stderr.join('')).toMatch(
        /^modelship: builder buildah: buildah is not on PATH; .*\.\n$/,
      );
    } finally {
      process.env.PATH = path;
      spy.mockRestore();
    }
  });

  it('modelship image manifests refuses an image without a digest, exit 2', async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const out = join(dir, 'k8s');
      expect(
        await main(['image', 'manifests', bundle.dir, '--image', 'ghcr.io/o/m:1', '-o', out]),
      ).toBe(2);
      const image = `ghcr.io/o/credit-risk@${DIGEST}`;
      const ok = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        expect(await main(['image', 'manifests', bundle.dir, '--image', image, '-o', out])).toBe(0);
      } finally {
        ok.mockRestore();
      }
      expect(readFileSync(join(out, 'deployment.yaml'), 'utf8')).toContain(image);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('the serving runtime of an image', () => {
  const ort = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const linux = (arch: string) => join(ort, 'bin', 'napi-v6', 'linux', arch);
  let built: string;
  beforeAll(() => {
    built = join(dir, 'serve');
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-serve.mjs'), built], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`build-serve failed:\n${result.stderr}`);
  });

  it('is built as one ES module, with no native file', () => {
    expect(readdirSync(built).sort()).toEqual(['index.js', 'package.json']);
    expect(JSON.parse(readFileSync(join(built, 'package.json'), 'utf8'))).toEqual({
      type: 'module',
    });
    expect(readFileSync(join(built, 'index.js'), 'utf8')).toContain(
      'join(__dirname, "onnxruntime", "onnxruntime_binding.node")',
    );
  });

  it("takes onnxruntime-node's linux/<arch> binaries, an assembled folder's, or those given", () => {
    expect(findServingRuntime(built, { arch: 'arm64' })).toEqual({
      script: built,
      natives: linux('arm64'),
    });
    expect(findServingRuntime(built, { arch: 'x64' }).natives).toBe(linux('x64'));
    const assembled = join(dir, 'assembled');
    cpSync(built, assembled, { recursive: true });
    cpSync(linux('x64'), join(assembled, 'onnxruntime'), { recursive: true });
    expect(findServingRuntime(assembled)).toEqual({
      script: assembled,
      natives: join(assembled, 'onnxruntime'),
    });
    expect(findServingRuntime(assembled, { natives: linux('arm64') }).natives).toBe(linux('arm64'));
  });

  it('says what is missing and what to do, in one sentence', () => {
    expect(() => findServingRuntime(join(dir, 'nothing'))).toThrow(
      /^\S+nothing has no index\.js, so it is not a serving runtime; pass the directory node scripts\/build-serve\.mjs <dir> wrote \(npm run build:serve writes dist\/serve\)\.$/,
    );
    expect(() => findServingRuntime(built, { natives: dir })).toThrow(
      /^\S+ holds no onnxruntime_binding\.node and libonnxruntime; pass the linux\/x64 folder/,
    );
    // Nothing built near the running code.
    const nowhere = pathToFileURL(join(dir, 'a', 'b', 'c', 'd', 'e', 'servingRuntime.js')).href;
    expect(() => findServingRuntime(undefined, { from: nowhere })).toThrow(
      /^The serving runtime is not built \(no dist\/serve\/index\.js near \S+\); run npm run build:serve in the Modelship checkout, or pass its directory with --runtime\.$/,
    );
    // dist/serve beside the running code (as beside an action bundle), no onnxruntime-node.
    const bundled = pathToFileURL(join(dir, 'deploy', 'index.js')).href;
    expect(() => findServingRuntime(undefined, { from: bundled, arch: 'x64' })).toThrow(
      /^No linux\/x64 onnxruntime binaries for the image: onnxruntime-node is not installed beside Modelship \(or lacks bin\/napi-v6\/linux\/x64\); install it with npm install onnxruntime-node, or pass a directory holding onnxruntime_binding\.node and libonnxruntime\.$/,
    );
    expect(findServingRuntime(undefined, { from: bundled, natives: linux('x64') })).toEqual({
      script: built,
      natives: linux('x64'),
    });
    expect(() => findServingRuntime(built, { arch: 'ia32' as 'x64' })).toThrow(
      /^ia32 is not an architecture the serving image supports; use x64 or arm64\.$/,
    );
  });

  it.runIf(process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch))(
    'is assembled in the build context with the natives chosen, and serves the bundle from there',
    async () => {
      // An assembled folder whose own onnxruntime/ is not what the image gets.
      const stale = join(dir, 'stale');
      cpSync(built, stale, { recursive: true });
      mkdirSync(join(stale, 'onnxruntime'));
      writeFileSync(join(stale, 'onnxruntime', 'onnxruntime_binding.node'), 'another arch');
      writeFileSync(join(stale, 'onnxruntime', 'libonnxruntime.so.1'), 'another arch');
      const natives = linux(process.arch);
      const context = await writeBuildContext({
        bundle: bundle.dir,
        runtime: findServingRuntime(stale, { natives }),
        out: join(dir, 'context'),
      });
      const runtime = join(context.dir, 'runtime');
      expect(readdirSync(runtime).sort()).toEqual(['index.js', 'onnxruntime', 'package.json']);
      expect(readdirSync(join(runtime, 'onnxruntime')).sort()).toEqual(readdirSync(natives).sort());
      expect(readFileSync(join(runtime, 'onnxruntime', 'onnxruntime_binding.node'))).toEqual(
        readFileSync(join(natives, 'onnxruntime_binding.node')),
      );

      // The image's entry point as the container runs it: node, the context, nothing above it.
      const server = spawn(
        process.execPath,
        [join(runtime, 'index.js'), join(context.dir, 'model'), '--port', '0'],
        {
          cwd: context.dir,
          env: { PATH: dirname(process.execPath), MODELSHIP_HOST: '127.0.0.1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let log = '';
      const listening = new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not listening:\n${log}`)), 30_000);
        const read = (chunk: Buffer) => {
          log += chunk.toString();
          const url = /"event":"listening","url":"([^"]+)"/.exec(log)?.[1];
          if (url) {
            clearTimeout(timer);
            resolve(url);
          }
        };
        server.stdout.on('data', read);
        server.stderr.on('data', read);
        server.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited with ${code}:\n${log}`));
        });
      });
      try {
        const result = await runSmokeTest({ url: await listening, data: smoke });
        expect(result, log).toMatchObject({ passed: true, reason: '' });
      } finally {
        server.kill('SIGTERM');
      }
    },
  );
});
