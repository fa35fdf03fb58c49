import type { Command } from 'commander';
import { ModelshipError } from '../core/errors.js';
import { createServer } from '../core/serve/server.js';
import { resolveServeTarget } from '../core/serve/serveTarget.js';
import { packageVersion } from './packageInfo.js';

interface ServeCliOptions {
  config?: string;
  port: string;
  host: string;
  gpu?: boolean;
}

/** `modelship serve <bundle-dir or onnx> [--config <yml>] [--port <n>] [--host <addr>]` */
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
    .option('--gpu', 'try the CUDA execution provider first')
    .action(async (target: string, options: ServeCliOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new ModelshipError(`--port ${options.port} is not a port number (0 to 65535).`);
      }
      const resolved = resolveServeTarget(target, options.config);
      const server = createServer({
        modelPath: resolved.modelPath,
        ...(resolved.config ? { config: resolved.config } : {}),
        ...(resolved.version ? { modelVersion: resolved.version } : {}),
        executionProviders: options.gpu ? ['cuda', 'cpu'] : ['cpu'],
        serverVersion: packageVersion(),
        logger: (entry) =>
          process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`),
      });
      const model = await server.ready;
      const { url } = await server.listen(port, options.host);
      process.stdout.write(
        `serving ${server.name} ${server.version} at ${url}/v2/models/${server.name} on ${model.provider}${model.providerNote ? ` (${model.providerNote})` : ''}${resolved.config ? '' : '; /predict is off without --config'}\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          void server.close().then(resolve);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      setExit(0);
    });
}
