/**
 * The serving container's entry point (bundled into dist/serve by scripts/build-serve.mjs): serves one
 * release bundle the way `modelship serve` does, without the rest of the command line, so the image
 * needs node, dist/serve and the bundle, and no npm install.
 *
 *   node dist/serve/index.js <bundle-dir> [--port 8080] [--host 0.0.0.0]
 *
 * MODELSHIP_PORT and MODELSHIP_HOST set the defaults; MODELSHIP_GPU=true tries CUDA first;
 * MODELSHIP_ADDED_LATENCY_MS delays every inference answer (a testing aid for load tests).
 * MODELSHIP_THREADS sets onnxruntime's threads for one run (default: half the CPUs, at least 1).
 * MODELSHIP_SHADOW=<bundle-dir> scores every request on a second bundle too, logging both answers
 * to MODELSHIP_SHADOW_LOG (default /tmp/modelship-shadow.jsonl: the image's own folders are not
 * writable); MODELSHIP_CANARY=<bundle-dir> with MODELSHIP_CANARY_PERCENT=<0..100> answers that
 * share of routing keys with it instead.
 */
import { isModelshipError, messageOf } from './core/errors.js';
import { plainNumber } from './core/numberText.js';
import { parseCanaryPercent } from './core/serve/canary.js';
import { createServer } from './core/serve/server.js';
import { parseServeThreads } from './core/serve/serveThreads.js';
import { resolveServeTarget, serveTargetOptions } from './core/serve/serveTarget.js';

const SERVER_VERSION = '0.1.0';

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && args[at + 1] !== undefined ? args[at + 1]! : fallback;
}

async function serve(args: string[]): Promise<void> {
  const target = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (!target) throw new Error('usage: index.js <bundle-dir> [--port <n>] [--host <addr>]');
  const port = plainNumber(option(args, '--port', process.env.MODELSHIP_PORT ?? '8080'));
  const host = option(args, '--host', process.env.MODELSHIP_HOST ?? '0.0.0.0');
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`bad port ${option(args, '--port', process.env.MODELSHIP_PORT ?? '8080')}`);
  const addedLatencyMs = plainNumber(process.env.MODELSHIP_ADDED_LATENCY_MS ?? '0');
  if (!(Number.isFinite(addedLatencyMs) && addedLatencyMs >= 0)) {
    throw new Error(`bad MODELSHIP_ADDED_LATENCY_MS ${process.env.MODELSHIP_ADDED_LATENCY_MS}`);
  }
  // Every setting is checked before a model is read, so a bad one is named even when a model is
  // missing too.
  const env = process.env;
  const percent = parseCanaryPercent(env.MODELSHIP_CANARY_PERCENT);
  if (env.MODELSHIP_CANARY && percent === undefined) {
    throw new Error(
      `MODELSHIP_CANARY_PERCENT ${env.MODELSHIP_CANARY_PERCENT ?? '(unset)'} is not a percentage; set it from 0 to 100 with MODELSHIP_CANARY`,
    );
  }
  const threads = parseServeThreads(env.MODELSHIP_THREADS);
  const resolved = resolveServeTarget(target);
  const shadow = env.MODELSHIP_SHADOW
    ? {
        ...serveTargetOptions(resolveServeTarget(env.MODELSHIP_SHADOW)),
        logFile: env.MODELSHIP_SHADOW_LOG || '/tmp/modelship-shadow.jsonl',
      }
    : undefined;
  const canary =
    env.MODELSHIP_CANARY && percent !== undefined
      ? {
          ...serveTargetOptions(resolveServeTarget(env.MODELSHIP_CANARY)),
          percent,
        }
      : undefined;
  const server = createServer({
    ...serveTargetOptions(resolved),
    executionProviders: process.env.MODELSHIP_GPU === 'true' ? ['cuda', 'cpu'] : ['cpu'],
    threads,
    serverVersion: SERVER_VERSION,
    ...(addedLatencyMs > 0 ? { addedLatencyMs } : {}),
    ...(shadow ? { shadow } : {}),
    ...(canary ? { canary } : {}),
    logger: (entry) =>
      process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`),
  });
  await server.ready;
  await server.listen(port, host);
  // A container's PID 1 gets SIGTERM on stop: finish what is in flight, then exit 0.
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

try {
  await serve(process.argv.slice(2));
} catch (error) {
  const message = isModelshipError(error) ? error.message : `cannot serve: ${messageOf(error)}`;
  process.stderr.write(`${JSON.stringify({ event: 'fatal', error: message })}\n`);
  process.exitCode = 1;
}
