import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';
import { packageVersion } from './packageInfo.js';

interface ServeCliOptions {
  config?: string;
  port: string;
  host: string;
  gpu?: boolean;
  cpu?: boolean;
  requestTimeoutMs: string;
  microBatchMs?: string;
  addedLatencyMs: string;
}

/**
 * `modelship serve <bundle-dir or onnx> [--config <yml>] [--port <n>] [--host <addr>]
 * [--request-timeout-ms <ms>] [--micro-batch-ms <ms>] [--added-latency-ms <ms>] [--gpu | --cpu]`
 */
export function registerServe(program: Command, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description(
      'serve a release bundle or an ONNX model over the Open Inference Protocol v2, with /predict and /metrics',
    )
    .argument('<model>', 'a release bundle directory (modelship package --out) or an .onnx file')
    .option('-c, --config <file>', 'modelship.yml for /predict (default: the bundle’s)')
    .option('-p, --port <n>', 'the port (0: any free port)', '8080')
    .option('--host <addr>', 'the address to listen on', '127.0.0.1')
    .option(
      '--gpu',
      'try the CUDA execution provider first (default: when an NVIDIA driver is present)',
    )
    .option('--cpu', 'run on the CPU even where a GPU is present')
    .option('--request-timeout-ms <ms>', 'answer 504 to a request not answered in time', '30000')
    .option(
      '--micro-batch-ms <ms>',
      'merge small concurrent requests into one model run, waiting up to this long (0: merge what arrives together); off by default',
    )
    .option(
      '--added-latency-ms <ms>',
      'testing aid: delay every inference answer by this long, to try a latency objective against a slow server (env MODELSHIP_ADDED_LATENCY_MS)',
      process.env.MODELSHIP_ADDED_LATENCY_MS ?? '0',
    )
    .action(async (target: string, options: ServeCliOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new ModelshipError(`--port ${options.port} is not a port number (0 to 65535).`);
      }
      const timeout = Number(options.requestTimeoutMs);
      if (!Number.isFinite(timeout) || timeout <= 0) {
        throw new ModelshipError(
          `--request-timeout-ms ${options.requestTimeoutMs} is not a positive number of milliseconds.`,
        );
      }
      const window = options.microBatchMs === undefined ? undefined : Number(options.microBatchMs);
      if (window !== undefined && !(Number.isFinite(window) && window >= 0)) {
        throw new ModelshipError(
          `--micro-batch-ms ${options.microBatchMs} is not a number of milliseconds (0 or more).`,
        );
      }
      const addedLatency = Number(options.addedLatencyMs);
      if (!(Number.isFinite(addedLatency) && addedLatency >= 0)) {
        throw new ModelshipError(
          `--added-latency-ms ${options.addedLatencyMs} (or MODELSHIP_ADDED_LATENCY_MS) is not a number of milliseconds (0 or more).`,
        );
      }
      const { defaultExecutionProviders } = await import('../core/model/gpuPresence.js');
      const { jsonLines } = await import('../core/serve/jsonLines.js');
      const { createServer } = await import('../core/serve/server.js');
      const { resolveServeTarget, serveTargetOptions } =
        await import('../core/serve/serveTarget.js');
      const resolved = resolveServeTarget(target, options.config);
      // One JSON line per event on stderr; stdout keeps the human line below.
      const lines = jsonLines((text) => process.stderr.write(text));
      const server = createServer({
        ...serveTargetOptions(resolved),
        executionProviders: options.cpu
          ? ['cpu']
          : options.gpu
            ? ['cuda', 'cpu']
            : defaultExecutionProviders(),
        requestTimeoutMs: timeout,
        ...(window !== undefined ? { microBatch: { windowMs: window } } : {}),
        ...(addedLatency > 0 ? { addedLatencyMs: addedLatency } : {}),
        serverVersion: packageVersion(),
        logger: lines.log,
      });
      const model = await server.ready.finally(lines.flush);
      // A host or port it cannot listen on is one sentence (from listen) and exit 2.
      const { url } = await server.listen(port, options.host).catch(async (error: unknown) => {
        await server.close();
        lines.flush();
        throw error;
      });
      process.stdout.write(
        `serving ${server.name} ${server.version} at ${url}/v2/models/${server.name} on ${model.provider}${model.providerNote ? ` (${model.providerNote})` : ''}${resolved.config ? '' : '; /predict is off without --config'}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void server.close().then(() => {
            lines.flush();
            resolve();
          });
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      setExit(0);
    });
}
