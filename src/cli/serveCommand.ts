import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';
import { plainNumber } from '../core/numberText.js';
import { packageVersion } from './packageInfo.js';

interface ServeCliOptions {
  config?: string;
  port: string;
  host: string;
  gpu?: boolean;
  cpu?: boolean;
  requestTimeoutMs: string;
  microBatchMs?: string;
  threads?: string;
  addedLatencyMs: string;
  shadow?: string;
  shadowLog?: string;
  canary?: string;
  canaryPercent?: string;
}

/**
 * `modelship serve <bundle-dir or onnx> [--config <yml>] [--port <n>] [--host <addr>]
 * [--request-timeout-ms <ms>] [--micro-batch-ms <ms>] [--threads <n>] [--added-latency-ms <ms>]
 * [--gpu | --cpu]
 * [--shadow <bundle> [--shadow-log <file>] | --canary <bundle> --canary-percent <n>]`
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
      '--threads <n>',
      'onnxruntime threads for one model run (env MODELSHIP_THREADS; default: half the CPUs this process may use, at least 1)',
      process.env.MODELSHIP_THREADS,
    )
    .option(
      '--added-latency-ms <ms>',
      'testing aid: delay every inference answer by this long, to try a latency objective against a slow server (env MODELSHIP_ADDED_LATENCY_MS)',
      process.env.MODELSHIP_ADDED_LATENCY_MS ?? '0',
    )
    .option(
      '--shadow <model>',
      'a second release bundle that scores every request after the primary answered it; both answers go to --shadow-log and /metrics compares them',
    )
    .option(
      '--shadow-log <file>',
      'where --shadow writes each pair of answers as a JSON line (appended)',
      'modelship-shadow.jsonl',
    )
    .option(
      '--canary <model>',
      'a second release bundle that answers --canary-percent of requests, chosen by x-modelship-routing-key (else the request id)',
    )
    .option('--canary-percent <n>', 'the share of routing keys the canary answers (0 to 100)')
    .action(async (target: string, options: ServeCliOptions) => {
      const port = plainNumber(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new ModelshipError(`--port ${options.port} is not a port number (0 to 65535).`);
      }
      const timeout = plainNumber(options.requestTimeoutMs);
      if (!Number.isFinite(timeout) || timeout <= 0) {
        throw new ModelshipError(
          `--request-timeout-ms ${options.requestTimeoutMs} is not a positive number of milliseconds.`,
        );
      }
      const window =
        options.microBatchMs === undefined ? undefined : plainNumber(options.microBatchMs);
      if (window !== undefined && !(Number.isFinite(window) && window >= 0)) {
        throw new ModelshipError(
          `--micro-batch-ms ${options.microBatchMs} is not a number of milliseconds (0 or more).`,
        );
      }
      const { parseServeThreads } = await import('../core/serve/serveThreads.js');
      const threads = parseServeThreads(options.threads);
      const addedLatency = plainNumber(options.addedLatencyMs);
      if (!(Number.isFinite(addedLatency) && addedLatency >= 0)) {
        throw new ModelshipError(
          `--added-latency-ms ${options.addedLatencyMs} (or MODELSHIP_ADDED_LATENCY_MS) is not a number of milliseconds (0 or more).`,
        );
      }
      const second = secondModelFlags(options);
      const { defaultExecutionProviders } = await import('../core/model/gpuPresence.js');
      const { jsonLines } = await import('../core/serve/jsonLines.js');
      const { createServer } = await import('../core/serve/server.js');
      const { resolveServeTarget, serveTargetOptions } =
        await import('../core/serve/serveTarget.js');
      const resolved = resolveServeTarget(target, options.config);
      const secondOptions = second && serveTargetOptions(resolveServeTarget(second.path));
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
        threads,
        ...(window !== undefined ? { microBatch: { windowMs: window } } : {}),
        ...(addedLatency > 0 ? { addedLatencyMs: addedLatency } : {}),
        ...(second?.kind === 'shadow' && secondOptions
          ? { shadow: { ...secondOptions, logFile: second.logFile } }
          : {}),
        ...(second?.kind === 'canary' && secondOptions
          ? { canary: { ...secondOptions, percent: second.percent } }
          : {}),
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
      const alongside =
        second?.kind === 'shadow'
          ? `; shadow ${second.path} logged to ${second.logFile}`
          : second?.kind === 'canary'
            ? `; canary ${second.path} answers ${second.percent}%`
            : '';
      process.stdout.write(
        `serving ${server.name} ${server.version} at ${url}/v2/models/${server.name} on ${model.provider}${model.providerNote ? ` (${model.providerNote})` : ''}${resolved.config ? '' : '; /predict is off without --config'}${alongside}\n`,
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

/** --shadow or --canary with what goes with it, checked before anything loads. */
function secondModelFlags(
  options: ServeCliOptions,
):
  | { kind: 'shadow'; path: string; logFile: string }
  | { kind: 'canary'; path: string; percent: number }
  | undefined {
  if (options.shadow && options.canary)
    throw new ModelshipError(
      '--shadow and --canary were both given; serve one second model at a time.',
    );
  if (options.canaryPercent !== undefined && !options.canary)
    throw new ModelshipError(
      '--canary-percent says how much traffic the canary takes: pass the canary bundle with --canary too.',
    );
  if (options.shadow)
    return {
      kind: 'shadow',
      path: options.shadow,
      logFile: options.shadowLog ?? 'modelship-shadow.jsonl',
    };
  if (!options.canary) return undefined;
  const percent = plainNumber(options.canaryPercent);
  if (!(percent <= 100))
    throw new ModelshipError(
      `--canary-percent ${options.canaryPercent ?? '(missing)'} is not a percentage; pass a number from 0 to 100 with --canary.`,
    );
  return { kind: 'canary', path: options.canary, percent };
}
