import { randomUUID } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { isModelshipError, messageOf } from '../errors.js';
import { buildFeatureMatrix, featureColumns, featureWidth } from '../model/featureMatrix.js';
import { loadOnnxModel, type ExecutionProvider, type OnnxModel } from '../model/onnxModel.js';
import { predict } from '../model/predict.js';
import {
  BadRequest,
  inferRequestSchema,
  inputMatrix,
  oipDatatype,
  oipShape,
} from './inferRequest.js';
import { ServeMetrics } from './metrics.js';

export type ServeLogger = (entry: Record<string, unknown>) => void;

export interface ServeOptions {
  /** The .onnx file to serve. */
  modelPath: string;
  /** The resolved modelship.yml: needed by /predict, and names the model. */
  config?: ModelshipConfig;
  /** Default: model.name of the config, else the file name without .onnx. */
  modelName?: string;
  /** Default '1' (a bundle's manifest version). */
  modelVersion?: string;
  /** The label of a binary prediction below the threshold (default `not <positive>`). */
  negativeLabel?: string;
  executionProviders?: readonly ExecutionProvider[];
  logger?: ServeLogger;
  /** Largest request body in bytes (default 1 MiB for /predict, 16 MiB for infer). */
  maxPredictBytes?: number;
  maxInferBytes?: number;
  /** Server name and version reported by GET /v2. */
  serverName?: string;
  serverVersion?: string;
}

export interface ModelServer {
  /** Starts listening; resolves with the bound address. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number; host: string }>;
  /** Resolves once the model is loaded (rejects when it cannot be). */
  ready: Promise<OnnxModel>;
  /** Stops accepting, finishes requests in flight, frees the model. */
  close(): Promise<void>;
  readonly server: Server;
  readonly name: string;
  readonly version: string;
}

const predictSchema = z.object({
  id: z.string().optional(),
  rows: z.array(z.record(z.string(), z.unknown())),
});

interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
}

/** An Open Inference Protocol v2 server for one ONNX model, plus /predict and /metrics. */
export function createServer(options: ServeOptions): ModelServer {
  const config = options.config;
  const name =
    options.modelName ??
    config?.model.name ??
    (options.modelPath.split(/[\\/]/).pop() ?? 'model').replace(/\.onnx$/i, '');
  const version = options.modelVersion ?? '1';
  const log: ServeLogger = options.logger ?? (() => {});
  const maxPredict = options.maxPredictBytes ?? 1024 * 1024;
  const maxInfer = options.maxInferBytes ?? 16 * 1024 * 1024;
  const metrics = new ServeMetrics();
  const width = config ? featureWidth(config.model.features) : undefined;
  let model: OnnxModel | undefined;
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const ready = loadOnnxModel(options.modelPath, {
    ...(width !== undefined ? { features: width } : {}),
    ...(options.executionProviders ? { executionProviders: options.executionProviders } : {}),
  }).then((loaded) => {
    model = loaded;
    metrics.setModelInfo({ name, version, provider: loaded.provider, sha256: loaded.sha256 });
    log({ event: 'model_loaded', model: name, version, provider: loaded.provider });
    return loaded;
  });
  ready.catch((error: unknown) => log({ event: 'model_load_failed', error: messageOf(error) }));

  const modelWidth = (m: OnnxModel) =>
    typeof m.inputShape[1] === 'number' ? m.inputShape[1] : width;

  const metadata = (m: OnnxModel) => ({
    name,
    versions: [version],
    platform: 'onnxruntime_onnx',
    inputs: [{ name: m.inputName, datatype: 'FP32', shape: oipShape(m.inputShape) }],
    outputs: m.session.outputMetadata.map((o) => ({
      name: o.name,
      datatype: o.isTensor ? oipDatatype(o.type) : 'BYTES',
      shape: oipShape(o.isTensor ? o.shape : null),
    })),
  });

  async function infer(body: unknown, m: OnnxModel): Promise<Reply> {
    const parsed = inferRequestSchema.safeParse(body);
    if (!parsed.success)
      throw new BadRequest(`invalid inference request: ${zodMessage(parsed.error)}`);
    const request = parsed.data;
    if (request.inputs.length !== 1) {
      throw new BadRequest(
        `the model takes one input (${m.inputName}), not ${request.inputs.length}.`,
      );
    }
    const { matrix, rows, width: cols } = inputMatrix(request.inputs[0]!, m, modelWidth(m));
    const wanted = request.outputs?.map((o) => o.name) ?? m.outputNames;
    for (const output of wanted) {
      if (!m.outputNames.includes(output)) {
        throw new BadRequest(
          `unknown output ${JSON.stringify(output)}; the model's outputs are ${m.outputNames.join(', ')}.`,
        );
      }
    }
    let result: Record<string, Tensor>;
    try {
      const feeds = { [m.inputName]: new Tensor('float32', matrix, [rows, cols]) };
      result = (await m.session.run(feeds, wanted)) as Record<string, Tensor>;
    } catch (error) {
      throw new BadRequest(`inference failed: ${firstLine(messageOf(error))}`, 500);
    }
    return {
      status: 200,
      body: {
        model_name: name,
        model_version: version,
        id: request.id ?? randomUUID(),
        outputs: wanted.map((output) => {
          const tensor = result[output]!;
          return {
            name: output,
            shape: [...tensor.dims],
            datatype: oipDatatype(tensor.type),
            data: Array.from(tensor.data as ArrayLike<number | bigint | string | boolean>, (v) =>
              typeof v === 'bigint' ? Number(v) : v,
            ),
          };
        }),
      },
    };
  }

  async function predictRows(body: unknown, m: OnnxModel): Promise<Reply> {
    if (!config) {
      throw new BadRequest(
        '/predict needs the modelship.yml features; serve a release bundle or pass --config.',
        400,
      );
    }
    const parsed = predictSchema.safeParse(body);
    if (!parsed.success) {
      throw new BadRequest(
        `invalid predict request: ${zodMessage(parsed.error)}; send {"rows": [{…}]}.`,
      );
    }
    const { rows, id } = parsed.data;
    const columns: Record<string, unknown[]> = {};
    for (const column of featureColumns(config.model.features)) {
      columns[column] = rows.map((row) => row[column]);
    }
    let matrix: Float32Array;
    try {
      matrix = buildFeatureMatrix(columns, rows.length, config.model.features, {
        source: 'request',
      });
    } catch (error) {
      if (isModelshipError(error)) throw new BadRequest(error.message);
      throw error;
    }
    let out;
    try {
      out = await predict(m, matrix, rows.length, config.model.task, {
        ...(config.model.classes ? { classCount: config.model.classes.length } : {}),
      });
    } catch (error) {
      throw new BadRequest(`inference failed: ${firstLine(messageOf(error))}`, 500);
    }
    const base = { model_name: name, model_version: version, id: id ?? randomUUID() };
    if (out.kind === 'binary') {
      const positive = String(config.model.positive);
      const negative = options.negativeLabel ?? `not ${positive}`;
      const threshold = config.model.threshold;
      const probabilities = Array.from(out.scores);
      return {
        status: 200,
        body: {
          ...base,
          threshold,
          positive,
          labels: probabilities.map((p) => (p >= threshold ? positive : negative)),
          probabilities,
        },
      };
    }
    if (out.kind === 'multiclass') {
      const c = out.classCount;
      const classes =
        config.model.classes?.map(String) ?? Array.from({ length: c }, (_, i) => String(i));
      const probabilities = Array.from({ length: rows.length }, (_, r) =>
        Array.from(out.proba.subarray(r * c, (r + 1) * c)),
      );
      const labels = probabilities.map((p) => classes[p.indexOf(Math.max(...p))] ?? '');
      return { status: 200, body: { ...base, classes, labels, probabilities } };
    }
    return { status: 200, body: { ...base, predictions: Array.from(out.values) } };
  }

  async function route(
    method: string,
    path: string,
    req: IncomingMessage,
    ctx: { id?: string },
  ): Promise<{ route: string; reply: Reply }> {
    if (path === '/v2/health/live') {
      return {
        route: 'health_live',
        reply: allow(method, 'GET') ?? { status: 200, body: { live: true } },
      };
    }
    if (path === '/v2/health/ready') {
      return {
        route: 'health_ready',
        reply: allow(method, 'GET') ?? {
          status: model && !closing ? 200 : 503,
          body: { ready: !!model && !closing },
        },
      };
    }
    if (path === '/v2' || path === '/v2/') {
      return {
        route: 'server_metadata',
        reply: allow(method, 'GET') ?? {
          status: 200,
          body: {
            name: options.serverName ?? 'modelship',
            version: options.serverVersion ?? '0.0.0',
            extensions: [],
          },
        },
      };
    }
    if (path === '/metrics') {
      return {
        route: 'metrics',
        reply: allow(method, 'GET') ?? {
          status: 200,
          body: metrics.render(),
          contentType: 'text/plain; version=0.0.4; charset=utf-8',
        },
      };
    }
    if (path === '/predict') {
      const wrong = allow(method, 'POST');
      if (wrong) return { route: 'predict', reply: wrong };
      const body = await readJson(req, maxPredict);
      ctx.id = idOf(body) ?? ctx.id;
      return { route: 'predict', reply: await predictRows(body, await loadedModel()) };
    }
    const match = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?\/?$/.exec(path);
    if (match) {
      const [, rawName, rawVersion, action] = match;
      const routeName =
        action === '/infer' ? 'infer' : action === '/ready' ? 'model_ready' : 'model_metadata';
      const wrong = allow(method, action === '/infer' ? 'POST' : 'GET');
      if (wrong) return { route: routeName, reply: wrong };
      const wantedName = decode(rawName!);
      if (wantedName !== name)
        throw new BadRequest(`Model with name ${wantedName} does not exist.`, 404);
      if (rawVersion !== undefined && decode(rawVersion) !== version) {
        throw new BadRequest(
          `Model with name ${wantedName} and version ${decode(rawVersion)} does not exist.`,
          404,
        );
      }
      if (action === '/ready') {
        const isReady = !!model && !closing;
        return {
          route: routeName,
          reply: { status: isReady ? 200 : 503, body: { name, ready: isReady } },
        };
      }
      if (action === '/infer') {
        const body = await readJson(req, maxInfer);
        ctx.id = idOf(body) ?? ctx.id;
        return { route: routeName, reply: await infer(body, await loadedModel()) };
      }
      return { route: routeName, reply: { status: 200, body: metadata(await loadedModel()) } };
    }
    return {
      route: 'not_found',
      reply: { status: 404, body: { error: `no route ${method} ${path}` } },
    };
  }

  async function loadedModel(): Promise<OnnxModel> {
    if (!model)
      throw new BadRequest(
        'the model is not loaded yet; retry when /v2/health/ready answers 200.',
        503,
      );
    return model;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight++;
    const started = performance.now();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const headerId = req.headers['x-request-id'];
    const ctx: { id?: string } = {};
    if (typeof headerId === 'string' && headerId.length <= 256) ctx.id = headerId;
    let routeName = 'unknown';
    let reply: Reply;
    try {
      const routed = await route(method, path, req, ctx);
      routeName = routed.route;
      reply = routed.reply;
    } catch (error) {
      if (routeName === 'unknown') routeName = routeOf(path);
      if (error instanceof BadRequest) {
        reply = { status: error.status, body: { error: error.message } };
      } else {
        log({ event: 'error', route: routeName, error: messageOf(error) });
        reply = { status: 500, body: { error: `internal error: ${firstLine(messageOf(error))}` } };
      }
    }
    let requestId = ctx.id;
    const replyBody = reply.body as Record<string, unknown> | string;
    if (typeof replyBody === 'object' && replyBody !== null) {
      if (typeof replyBody.id === 'string') requestId = replyBody.id;
      else if (requestId && 'error' in replyBody) replyBody.id = requestId;
    }
    const text = typeof replyBody === 'string' ? replyBody : JSON.stringify(replyBody);
    const headers: Record<string, string | number> = {
      'content-type': reply.contentType ?? 'application/json',
      'content-length': Buffer.byteLength(text),
    };
    if (requestId) headers['x-request-id'] = requestId;
    if (closing || reply.status === 413) headers.connection = 'close';
    const seconds = (performance.now() - started) / 1000;
    metrics.observe(routeName, reply.status, seconds);
    log({
      event: 'request',
      method,
      path,
      route: routeName,
      status: reply.status,
      duration_ms: Math.round(seconds * 1e6) / 1e3,
      ...(requestId ? { id: requestId } : {}),
    });
    await new Promise<void>((resolve) => {
      res.on('close', resolve);
      res.writeHead(reply.status, headers);
      res.end(text);
    });
    inFlight--;
    if (inFlight === 0) drained?.();
  }

  const server = createHttpServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 5000;

  let closed: Promise<void> | undefined;
  return {
    server,
    name,
    version,
    ready,
    async listen(port = 8080, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address() as AddressInfo;
      const shownHost = address.address.includes(':') ? `[${address.address}]` : address.address;
      const url = `http://${shownHost}:${address.port}`;
      log({ event: 'listening', url });
      return { url, port: address.port, host: address.address };
    },
    close() {
      closed ??= (async () => {
        closing = true;
        log({ event: 'closing', in_flight: inFlight });
        const stopped = new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
        });
        server.closeIdleConnections();
        if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
        server.closeIdleConnections();
        await stopped;
        const loaded = await ready.catch(() => undefined);
        await loaded?.release();
        log({ event: 'closed' });
      })();
      return closed;
    },
  };
}

/** Reads a JSON body of at most `limit` bytes; 413 beyond it, 400 when it is not JSON. */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number.isFinite(declared) && declared > limit;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    // Beyond the limit the rest is read and dropped, so the client sees the 413, not a reset.
    if (!tooLarge) chunks.push(chunk);
  }
  if (tooLarge) {
    throw new BadRequest(`the request body is larger than the limit of ${limit} bytes.`, 413);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new BadRequest(`the request body is not valid JSON (${messageOf(error)}).`);
  }
  return body;
}

function idOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const id = (body as { id?: unknown }).id;
  return typeof id === 'string' && id.length <= 256 ? id : undefined;
}

function allow(method: string, wanted: string): Reply | undefined {
  if (method === wanted || (wanted === 'GET' && method === 'HEAD')) return undefined;
  return { status: 405, body: { error: `${method} is not allowed here; use ${wanted}.` } };
}

function routeOf(path: string): string {
  if (path === '/predict') return 'predict';
  if (path.endsWith('/infer')) return 'infer';
  if (path.endsWith('/ready')) return 'model_ready';
  if (path.startsWith('/v2/models/')) return 'model_metadata';
  return 'not_found';
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function zodMessage(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : 'body'}: ${i.message}`)
    .join('; ');
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).trim();
}
