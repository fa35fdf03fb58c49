import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { isSameOrInside, writeOutputFile } from '../core/files/outputFiles.js';
import { DEFAULT_BASE_IMAGE } from '../core/deploy/containerfile.js';
import {
  BUILDER_PREFERENCES,
  ImageBuilder,
  type BuilderPreference,
} from '../core/deploy/imageBuilder.js';
import { readReleaseManifest } from '../core/deploy/releaseManifest.js';
import { checkRepository } from '../core/deploy/imageRef.js';
import {
  findServingRuntime,
  SERVING_ARCHS,
  type ServingArch,
} from '../core/deploy/servingRuntime.js';
import { describeComparison } from '../core/deploy/smokeCompare.js';
import { ModelshipError } from '../core/errors.js';
import type { LoadTestFlags } from './imageLoadTest.js';

interface ToolOptions {
  builder: string;
  tlsVerify: string;
}

interface BuildOptions extends ToolOptions {
  image: string;
  baseImage: string;
  push?: boolean;
  runtime?: string;
  natives?: string;
  arch?: string;
  source?: string;
}

/** `modelship image build|smoke|load-test|manifests`: the deploy action's image steps, locally. */
export function registerImage(program: Command, setExit: (code: number) => void): void {
  const image = program
    .command('image')
    .description('build, smoke-test and describe the serving container image of a release bundle');
  const tools = (command: Command) =>
    command
      .option('--builder <name>', `${BUILDER_PREFERENCES.join(' | ')}`, 'auto')
      .option('--tls-verify <bool>', 'verify registry TLS (false for a local registry)', 'true');

  tools(
    image
      .command('build')
      .description('build the serving image of a bundle, tagged <image>:<version>')
      .argument('<bundle-dir>', 'a release bundle (modelship package --out)')
      .requiredOption('--image <repository>', 'the image repository, e.g. ghcr.io/owner/model')
      .option('--base-image <ref>', 'the base image (node 20 and glibc)', DEFAULT_BASE_IMAGE)
      .option('--push', 'push <image>:<version> and print its digest')
      .option(
        '--runtime <dir>',
        'the serving runtime: index.js of scripts/build-serve.mjs, natives in onnxruntime/ optional (default: dist/serve of this Modelship)',
      )
      .option(
        '--natives <dir>',
        "onnxruntime's linux binaries for the image (default: the onnxruntime/ folder of --runtime if it has one, else linux/<arch> of the installed onnxruntime-node)",
      )
      .option(
        '--arch <arch>',
        `the image's CPU architecture, for the default natives: ${SERVING_ARCHS.join(' | ')} (default: this machine's on linux, else x64)`,
      )
      .option('--source <url>', 'org.opencontainers.image.source, e.g. the repository URL'),
  ).action(async (bundle: string, options: BuildOptions) => {
    const tlsVerify = tlsOption(options.tlsVerify);
    const builder = await detect(options);
    const runtime = findServingRuntime(options.runtime, {
      ...(options.natives ? { natives: options.natives } : {}),
      ...(options.arch ? { arch: archOption(options.arch) } : {}),
    });
    const { buildServingImage } = await import('../core/deploy/servingImage.js');
    const built = await buildServingImage({
      builder,
      bundle,
      runtime,
      repository: checkRepository(options.image, '--image'),
      baseImage: options.baseImage,
      tlsVerify,
      ...(options.source ? { source: options.source } : {}),
    });
    let line = `built ${built.ref} with ${builder.name}`;
    if (options.push) {
      const digest = await builder.push(built.ref, built.ref, tlsVerify);
      line += `; pushed ${options.image}@${digest}`;
    }
    process.stdout.write(`${line}\n`);
    setExit(0);
  });

  tools(
    image
      .command('smoke')
      .description("run an image and compare its predictions with the bundle's smoke-test.json")
      .argument('<image-ref>', 'a local tag or <repository>@<digest>')
      .requiredOption('--bundle <dir>', 'the release bundle the image was built from'),
  ).action(async (ref: string, options: ToolOptions & { bundle: string }) => {
    const builder = await detect(options);
    const { smokeTestImage } = await import('../core/deploy/servingImage.js');
    const result = await smokeTestImage({
      builder,
      image: ref,
      bundle: options.bundle,
      tlsVerify: tlsOption(options.tlsVerify),
    });
    if (result.passed) {
      const lines = result.comparisons.map((c) => `  ${describeComparison(c)}`);
      process.stdout.write(`smoke test passed for ${ref}:\n${lines.join('\n')}\n`);
      setExit(0);
    } else {
      process.stdout.write(
        `smoke test failed for ${ref}: ${result.reason}\n${result.logs ? `container log:\n${result.logs}\n` : ''}`,
      );
      setExit(1);
    }
  });

  tools(
    image
      .command('load-test')
      .description(
        "drive an image (run with the builder's runner) or a running server's URL with the bundle's holdout rows; check serve.slo",
      )
      .argument('<image-or-url>', 'a local tag, <repository>@<digest>, or http(s)://host:port')
      .requiredOption(
        '--bundle <dir>',
        "the release bundle: smoke-test.json's rows are sent, modelship.yml's serve section sets the test and the SLO",
      )
      .option('--duration <seconds>', 'seconds to start requests for (serve.load_test.duration_s)')
      .option('--concurrency <n>', 'requests in flight at once (serve.load_test.concurrency)')
      .option(
        '--rows-per-request <n>',
        'holdout rows in each POST /predict (serve.load_test.rows_per_request)',
      )
      .option('--p99-ms <ms>', 'the SLO on p99 latency, instead of serve.slo.p99_ms')
      .option('--error-rate <share>', 'the SLO on the error rate, instead of serve.slo.error_rate'),
  ).action(async (target: string, options: ToolOptions & LoadTestFlags) => {
    const tlsVerify = tlsOption(options.tlsVerify);
    const { runLoadTestCommand } = await import('./imageLoadTest.js');
    setExit(
      await runLoadTestCommand(target, options, { tlsVerify, detect: () => detect(options) }),
    );
  });

  image
    .command('manifests')
    .description('write Kubernetes manifests (Deployment + Service, KServe InferenceService)')
    .argument('<bundle-dir>', 'the release bundle the image was built from')
    .requiredOption('--image <ref>', 'the image pinned by digest: <repository>@sha256:<hex>')
    .requiredOption(
      '-o, --out <dir>',
      'the directory to write deployment.yaml and inferenceservice.yaml to',
    )
    .option('--namespace <name>', 'metadata.namespace of every object')
    .option(
      '--shadow-image <ref>',
      'a candidate image (by digest) that scores every request beside --image: writes shadow.yaml',
    )
    .option(
      '--canary-image <ref>',
      'a candidate image (by digest) KServe sends --canary-percent of traffic to: writes inferenceservice-canary.yaml',
    )
    .option('--canary-percent <n>', "the canary's share of traffic (0 to 100)")
    .action(async (bundle: string, options: ManifestFlags) => {
      const { isDigestPinned, renderManifests } = await import('../core/deploy/k8sManifests.js');
      for (const [flag, ref] of [
        ['--image', options.image],
        ['--shadow-image', options.shadowImage],
        ['--canary-image', options.canaryImage],
      ] as const) {
        if (ref !== undefined && !isDigestPinned(ref))
          throw new ModelshipError(
            `${flag} ${ref} is not pinned by digest; pass <repository>@sha256:<hex> (modelship image build --push prints it), so the manifests run exactly the tested image.`,
          );
      }
      const percent = Number(options.canaryPercent);
      if (
        (options.canaryImage !== undefined) !== (options.canaryPercent !== undefined) ||
        (options.canaryImage && !(Number.isFinite(percent) && percent >= 0 && percent <= 100))
      )
        throw new ModelshipError(
          `--canary-image and --canary-percent go together, the percentage from 0 to 100 (got ${options.canaryImage ?? 'no image'} and ${options.canaryPercent ?? 'no percentage'}).`,
        );
      const manifest = await readReleaseManifest(bundle);
      const { files } = renderManifests({
        name: manifest.name,
        version: manifest.version,
        image: options.image,
        ...(options.namespace ? { namespace: options.namespace } : {}),
        ...(options.shadowImage ? { shadowImage: options.shadowImage } : {}),
        ...(options.canaryImage ? { canary: { image: options.canaryImage, percent } } : {}),
      });
      // Files of the user's are not overwritten: the bundle is an input, and an existing
      // deployment.yaml is replaced only when an earlier `image manifests` wrote it (its header).
      if (isSameOrInside(options.out, bundle))
        throw new ModelshipError(
          `--out ${options.out}: is inside the release bundle ${bundle}, an input of this command; choose another directory.`,
        );
      const existing = Object.keys(files).filter(
        (name) => existsSync(join(options.out, name)) && !generatedHere(join(options.out, name)),
      );
      if (existing.length > 0)
        throw new ModelshipError(
          `--out ${options.out}: already holds ${existing.join(' and ')}, not written by modelship image manifests; choose another directory, or remove them yourself.`,
        );
      for (const [name, text] of Object.entries(files))
        writeOutputFile(join(options.out, name), text, 'the manifest');
      const shown = relative(process.cwd(), options.out) || '.';
      process.stdout.write(`wrote ${Object.keys(files).join(', ')} to ${shown}\n`);
      setExit(0);
    });
}

interface ManifestFlags {
  image: string;
  out: string;
  namespace?: string;
  shadowImage?: string;
  canaryImage?: string;
  canaryPercent?: string;
}

/** Whether a manifest file carries the header renderManifests writes. */
function generatedHere(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').startsWith('# Generated by Modelship for ');
  } catch {
    return false;
  }
}

async function detect(options: ToolOptions): Promise<ImageBuilder> {
  const preference = options.builder as BuilderPreference;
  if (!BUILDER_PREFERENCES.includes(preference))
    throw new ModelshipError(
      `--builder ${options.builder} is not a builder; use one of ${BUILDER_PREFERENCES.join(', ')}.`,
    );
  return ImageBuilder.detect(preference, {
    env: process.env,
    onLine: (line) => process.stderr.write(`${line}\n`),
  });
}

function archOption(value: string): ServingArch {
  if ((SERVING_ARCHS as readonly string[]).includes(value)) return value as ServingArch;
  throw new ModelshipError(`--arch ${value}: expected ${SERVING_ARCHS.join(' or ')}.`);
}

function tlsOption(value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ModelshipError(`--tls-verify ${value}: expected true or false.`);
}
