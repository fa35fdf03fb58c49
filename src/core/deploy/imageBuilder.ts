/**
 * Building, pushing and running serving images with whichever tool the machine has: docker
 * buildx where a Docker engine answers (GitHub-hosted runners), else podman, else buildah (which
 * builds and pushes; running the smoke test then needs podman). Every call gets the caller's env.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelshipError } from '../errors.js';
import { findExecutable, runTool, runToolOrThrow, type ToolEnv } from './toolProcess.js';

export type BuilderName = 'docker' | 'podman' | 'buildah';
export type BuilderPreference = BuilderName | 'auto';
export const BUILDER_PREFERENCES: BuilderPreference[] = ['auto', 'docker', 'podman', 'buildah'];

export interface BuilderOptions {
  env: ToolEnv;
  /** Build and push output, line by line. */
  onLine?: (line: string) => void;
}

export interface BuildRequest {
  context: string;
  /** Containerfile path (default: Containerfile in the context). */
  containerfile?: string;
  tags: string[];
  baseImage?: string;
  /** Verify TLS of registries the base image comes from (default true). */
  tlsVerify?: boolean;
}

export interface RunRequest {
  image: string;
  name: string;
  containerPort: number;
  tlsVerify?: boolean;
}

const INSTALL_HINT =
  'install Docker with buildx, podman or buildah (on Debian and Ubuntu: apt-get install podman buildah skopeo runc), or set builder to one that is installed';

/** The tool that builds and pushes, and the one that runs containers (the same, but for buildah). */
export class ImageBuilder {
  private constructor(
    readonly name: BuilderName,
    private readonly command: string,
    private readonly runner: { name: 'docker' | 'podman'; command: string } | undefined,
    private readonly skopeo: string | undefined,
    private readonly options: BuilderOptions,
  ) {}

  /** Finds the builder: the preferred one, or docker (with a reachable engine), podman, buildah. */
  static async detect(
    preference: BuilderPreference,
    options: BuilderOptions,
  ): Promise<ImageBuilder> {
    const { env } = options;
    const docker = findExecutable('docker', env);
    const podman = findExecutable('podman', env);
    const buildah = findExecutable('buildah', env);
    const skopeo = findExecutable('skopeo', env);
    const dockerUsable = async () =>
      !!docker &&
      (await runTool(docker, ['buildx', 'version'], { env, timeoutMs: 20_000 })).code === 0 &&
      (await runTool(docker, ['info', '--format', '{{.ID}}'], { env, timeoutMs: 20_000 })).code ===
        0;
    const make = (name: BuilderName, command: string) =>
      new ImageBuilder(
        name,
        command,
        name === 'docker'
          ? { name: 'docker', command }
          : podman
            ? { name: 'podman', command: podman }
            : undefined,
        skopeo,
        options,
      );
    if (preference === 'docker') {
      if (await dockerUsable()) return make('docker', docker!);
      throw new ModelshipError(
        docker
          ? 'builder docker: docker buildx or the Docker engine does not answer (docker buildx version, docker info); start the engine, or set builder to podman or auto.'
          : `builder docker: docker is not on PATH; ${INSTALL_HINT}.`,
      );
    }
    if (preference === 'podman' || preference === 'buildah') {
      const path = preference === 'podman' ? podman : buildah;
      if (path) return make(preference, path);
      throw new ModelshipError(
        `builder ${preference}: ${preference} is not on PATH; ${INSTALL_HINT}.`,
      );
    }
    if (await dockerUsable()) return make('docker', docker!);
    if (podman) return make('podman', podman);
    if (buildah) return make('buildah', buildah);
    throw new ModelshipError(`No container builder found on PATH; ${INSTALL_HINT}.`);
  }

  /** Builds the context into an image with every tag in `tags` (in the local store). */
  async build(request: BuildRequest): Promise<void> {
    const file = request.containerfile ?? join(request.context, 'Containerfile');
    const tags = request.tags.flatMap((t) => ['-t', t]);
    const baseArg = request.baseImage ? ['--build-arg', `BASE_IMAGE=${request.baseImage}`] : [];
    const tls = request.tlsVerify === false ? ['--tls-verify=false'] : [];
    // docker format: the OCI image config has no HEALTHCHECK, podman and buildah would drop it.
    const args =
      this.name === 'docker'
        ? ['buildx', 'build', '--load', '-f', file, ...tags, ...baseArg, request.context]
        : [
            'build',
            '--format',
            'docker',
            '--layers',
            ...tls,
            '-f',
            file,
            ...tags,
            ...baseArg,
            request.context,
          ];
    await runToolOrThrow(this.command, args, {
      ...this.toolOptions(),
      what: `building ${request.tags[0]}`,
      hint: 'read the build output above; check that the base image can be pulled (or set base-image) and that the bundle is complete',
    });
  }

  /** Logs in to a registry; the password goes through stdin, never the command line. */
  async login(registry: string, username: string, password: string, tlsVerify = true) {
    const tls = tlsVerify || this.name === 'docker' ? [] : ['--tls-verify=false'];
    await runToolOrThrow(
      this.command,
      ['login', ...tls, '--username', username, '--password-stdin', registry],
      {
        ...this.toolOptions(),
        input: password,
        what: `logging in to ${registry}`,
        hint: 'check registry-username and registry-password (for ghcr.io the job needs `packages: write`)',
      },
    );
  }

  /** Pushes a local image to `ref`; returns the manifest digest the registry holds. */
  async push(localRef: string, ref: string, tlsVerify = true): Promise<string> {
    const hint = 'check the registry address, the login and that the token may write packages';
    if (this.name === 'docker') {
      if (localRef !== ref)
        await runToolOrThrow(this.command, ['tag', localRef, ref], {
          ...this.toolOptions(),
          what: `tagging ${ref}`,
          hint,
        });
      const result = await runToolOrThrow(this.command, ['push', ref], {
        ...this.toolOptions(),
        what: `pushing ${ref}`,
        hint,
      });
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(result.stdout)?.[1];
      if (!digest)
        throw new ModelshipError(`docker push ${ref} printed no digest; re-run the step.`);
      return digest;
    }
    const scratch = mkdtempSync(join(tmpdir(), 'modelship-push-'));
    try {
      const digestFile = join(scratch, 'digest');
      const tls = tlsVerify ? [] : ['--tls-verify=false'];
      await runToolOrThrow(
        this.command,
        ['push', ...tls, '--digestfile', digestFile, localRef, `docker://${ref}`],
        { ...this.toolOptions(), what: `pushing ${ref}`, hint },
      );
      return readFileSync(digestFile, 'utf8').trim();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  /**
   * Points `target` (a tag) at the manifest `source` (repository@digest) in the registry, so the
   * moved tag is exactly what was tested. Returns the digest `target` now has.
   */
  async retag(localRef: string, source: string, target: string, tlsVerify = true) {
    if (this.name !== 'docker' && this.skopeo) {
      const tls = tlsVerify ? [] : ['--src-tls-verify=false', '--dest-tls-verify=false'];
      await runToolOrThrow(
        this.skopeo,
        ['copy', ...tls, '--preserve-digests', `docker://${source}`, `docker://${target}`],
        {
          ...this.toolOptions(),
          what: `tagging ${target}`,
          hint: 'check that the token may write packages',
        },
      );
      return source.slice(source.indexOf('@') + 1);
    }
    return this.push(localRef, target, tlsVerify);
  }

  /** Starts a container with the port published on 127.0.0.1 (a free port); returns its URL. */
  async run(request: RunRequest): Promise<string> {
    const runner = this.requireRunner();
    const tls =
      request.tlsVerify === false && runner.name === 'podman' ? ['--tls-verify=false'] : [];
    const hint = 'read the error; the image may not start on this machine';
    await runToolOrThrow(
      runner.command,
      [
        'run',
        '-d',
        ...tls,
        '--name',
        request.name,
        '-p',
        `127.0.0.1::${request.containerPort}`,
        request.image,
      ],
      { env: this.options.env, what: `starting ${request.image}`, hint },
    );
    const port = await runToolOrThrow(
      runner.command,
      ['port', request.name, `${request.containerPort}/tcp`],
      { env: this.options.env, what: `reading the port of ${request.name}`, hint },
    );
    const address = port.stdout.trim().split('\n')[0]?.trim() ?? '';
    const hostPort = /:(\d+)$/.exec(address)?.[1];
    if (!hostPort)
      throw new ModelshipError(`${runner.name} port ${request.name}: no port in "${address}".`);
    return `http://127.0.0.1:${hostPort}`;
  }

  /** Whether the container is still running. */
  async running(name: string): Promise<boolean> {
    const runner = this.requireRunner();
    const result = await runTool(
      runner.command,
      ['inspect', '--format', '{{.State.Running}}', name],
      { env: this.options.env },
    );
    return result.code === 0 && result.stdout.trim() === 'true';
  }

  /** The container's last log lines. */
  async logs(name: string, lines = 20): Promise<string> {
    const runner = this.requireRunner();
    const result = await runTool(runner.command, ['logs', '--tail', String(lines), name], {
      env: this.options.env,
    });
    return `${result.stdout}${result.stderr}`.trim();
  }

  /** Removes the container, stopping it first (one second's grace). */
  async remove(name: string): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    // podman's -t is the stop timeout; docker rm has none (-f kills at once).
    const args = runner.name === 'podman' ? ['rm', '-f', '-t', '1', name] : ['rm', '-f', name];
    await runTool(runner.command, args, { env: this.options.env });
  }

  /** The image's labels, read from the local store. */
  async labels(ref: string): Promise<Record<string, string>> {
    const tool = this.runner?.command ?? this.command;
    const args =
      this.name === 'buildah' && !this.runner
        ? ['inspect', '--type', 'image', '--format', '{{json .OCIv1.Config.Labels}}', ref]
        : ['image', 'inspect', '--format', '{{json .Config.Labels}}', ref];
    const result = await runToolOrThrow(tool, args, {
      env: this.options.env,
      what: `inspecting ${ref}`,
      hint: 'build the image first',
    });
    return (JSON.parse(result.stdout.trim() || '{}') ?? {}) as Record<string, string>;
  }

  private requireRunner() {
    if (!this.runner)
      throw new ModelshipError(
        'buildah builds and pushes images but cannot run them for the smoke test; install podman (apt-get install podman), or set smoke-test to false.',
      );
    return this.runner;
  }

  private toolOptions() {
    return {
      env: this.options.env,
      ...(this.options.onLine ? { onLine: this.options.onLine } : {}),
    };
  }
}
