import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { ModelshipConfig } from '../config/modelshipConfig.js';
import { ModelshipError, messageOf } from '../errors.js';
import type { ExecutionProvider } from '../model/onnxModel.js';
import { ClientGone, MAX_JSON_DEPTH } from './httpBody.js';
import { BadRequest, firstLine } from './inferRequest.js';
import { ServeMetrics } from './metrics.js';
import { ModelRunner, type MicroBatchOptions } from './modelRunner.js';
import { ModelMetrics, type ModelRole } from './modelMetrics.js';
import type { Answer, LoadedModel, Reply, ServerContext, ServingModel } from './routes/route.js';
import { findRoute } from './routes/table.js';
import { headerSafe, loggedPath, MAX_ID_LENGTH } from './safeText.js';
import { loadServedModel, type ServedModel } from './servedModel.js';
import { DEFAULT_SHADOW_LOG, DEFAULT_SHADOW_QUEUE, ShadowScorer } from './shadow.js';

/** The largest request line plus headers the server reads (Node's maxHeaderSize); 431 beyond. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Headers not complete within this many milliseconds get 408 (Node's headersTimeout). */
export const HEADERS_TIMEOUT_MS = 60_000;
/** An idle keep-alive connection is closed after this many milliseconds. */
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export type ServeLogger = (entry: Record<string, unknown>) => void;

/** One model to load: its file, and what its config and manifest say about it. */
export interface ModelOptions {
  /** The .onnx file to serve. */
  modelPath: string;
  /** The resolved modelship.yml: needed by /predict, and names the model. */
  config?: ModelshipConfig;
  /** The config's file, named in messages about its features (default modelship.yml). */
  configFile?: string;
  /** Default: model.name of the config, else the file name without .onnx. */
  modelName?: string;
  /** Default '1' (a bundle's manifest version). */
  modelVersion?: string;
  /** The label of a binary prediction below the threshold (default `not <positive>`). */
  negativeLabel?: string;
  /** Multiclass class order when the config has no model.classes. */
  classes?: string[];
}

export interface ServeOptions extends ModelOptions {
  /**
   * A second model that scores every request after the primary has answered it; both answers
   * are written to `logFile` (JSON lines) and compared on /metrics.
   */
  shadow?: ModelOptions & { logFile?: string; queueSize?: number };
  /** A second model that answers `percent` (0 to 100) of the routing keys. */
  canary?: ModelOptions & { percent: number };
  executionProviders?: readonly ExecutionProvider[];
  /** onnxruntime's intra-op threads for one run of each model (default: onnxruntime's). */
  threads?: number;
  /** Receives one JSON-able entry per event (startup, each request, shutdown), with `time`. */
  logger?: ServeLogger;
  /** Largest request body in bytes (default 1 MiB for /predict, 16 MiB for infer). */
  maxPredictBytes?: number;
  maxInferBytes?: number;
  /** Deepest nesting of arrays and objects in a JSON body (default 64); 400 beyond it. */
  maxJsonDepth?: number;
  /** A request not answered within this many milliseconds gets 504 (default 30,000). */
  requestTimeoutMs?: number;
  /** A client whose headers are not complete within this many milliseconds gets 408 (default 60,000). */
  headersTimeoutMs?: number;
  /** Merge small concurrent requests into one model run (default off). */
  microBatch?: MicroBatchOptions;
  /**
   * Milliseconds added before every inference answer (default 0): a testing aid that makes a
   * real server slow, e.g. to see a load test's latency objective missed.
   */
  addedLatencyMs?: number;
  /** Server name and version reported by GET /v2. */
  serverName?: string;
  serverVersion?: string;
}

export interface ModelServer {
  /** Starts listening; resolves with the bound address. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number; host: string }>;
  /** Resolves once the model is loaded (rejects when it cannot be). */
  ready: Promise<ServedModel>;
  /** Stops accepting, finishes requests in flight, frees the model. */
  close(): Promise<void>;
  readonly server: Server;
  readonly name: string;
  readonly version: string;
}

interface Routed extends Answer {
  route: string;
}

/** An Open Inference Protocol v2 server for one ONNX model, plus /predict and /metrics. */
export function createServer(options: ServeOptions): ModelServer {
  const config = options.config;
  const { name, version } = namesOf(options);
  const log: ServeLogger = (entry) =>
    options.logger?.({ time: new Date().toISOString(), ...entry });
  const maxPredict = options.maxPredictBytes ?? 1024 * 1024;
  const maxInfer = options.maxInferBytes ?? 16 * 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxDepth = options.maxJsonDepth ?? MAX_JSON_DEPTH;
  const headersTimeoutMs = options.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
  const addedLatencyMs = options.addedLatencyMs ?? 0;
  const metrics = new ServeMetrics();
  const second = secondModel(options);
  const modelMetrics = new ModelMetrics(second?.role === 'shadow');
  metrics.add(modelMetrics);
  let model: LoadedModel | undefined;
  let secondLoaded: LoadedModel | undefined;
  let closing = false;
  // Requests not yet answered, and routes still running (a timed-out one runs on).
  let inFlight = 0;
  let running = 0;
  let drained: (() => void) | undefined;
  const settle = () => {
    if (inFlight === 0 && running === 0) drained?.();
  };

  const load = (m: ModelOptions) =>
    loadServedModel(m.modelPath, {
      ...(m.config
        ? {
            config: {
              features: m.config.model.features ?? null,
              file: m.configFile ?? 'modelship.yml',
            },
          }
        : {}),
      ...(options.executionProviders ? { executionProviders: options.executionProviders } : {}),
      ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    });
  const primaryReady = load(options).then((served) => {
    const runner = new ModelRunner(served.session, options.microBatch);
    model = { served, runner };
    metrics.setModelInfo({ name, version, provider: served.provider, sha256: served.sha256 });
    log({
      event: 'model_loaded',
      model: name,
      version,
      provider: served.provider,
      ...(served.providerNote ? { provider_note: served.providerNote } : {}),
      providers_tried: options.executionProviders ?? ['cpu'],
      sha256: served.sha256,
      inputs: served.inputs.map((i) => `${i.name}:${i.type ?? 'non-tensor'}`),
      predict: !!served.rows,
      micro_batch: runner.batching ? options.microBatch : false,
      request_timeout_ms: timeoutMs,
    });
    return served;
  });
  const secondReady = second
    ? load(second.options).then((served) => {
        secondLoaded = { served, runner: new ModelRunner(served.session, options.microBatch) };
        log({
          event: 'model_loaded',
          role: second.role,
          model: second.name,
          version: second.version,
          provider: served.provider,
          sha256: served.sha256,
          ...(second.role === 'canary' ? { percent: second.percent } : {}),
          ...(second.role === 'shadow' ? { shadow_log: second.logFile } : {}),
        });
        return served;
      })
    : Promise.resolve(undefined);
  const ready = Promise.all([primaryReady, secondReady]).then(([served]) => served);
  ready.catch((error: unknown) => log({ event: 'model_load_failed', error: messageOf(error) }));
  // A load that failed also frees the other model once both have settled.
  const loadedModels = Promise.allSettled([primaryReady, secondReady]).then((all) =>
    all.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : [])),
  );

  const serving = (
    role: ModelRole,
    m: ModelOptions,
    names: { name: string; version: string },
    loaded: () => LoadedModel | undefined,
  ): ServingModel => ({
    role,
    ...names,
    config: m.config,
    negativeLabel: m.negativeLabel,
    classes: m.classes,
    loaded: () => {
      const got = loaded();
      if (!got) throw notLoaded();
      return got;
    },
  });
  const primary = serving('primary', options, { name, version }, () => model);
  const secondServing = second
    ? serving(second.role, second.options, second, () => secondLoaded)
    : undefined;
  const scorer =
    second?.role === 'shadow'
      ? new ShadowScorer(second, {
          logFile: second.logFile,
          queueSize: second.queueSize,
          metrics: modelMetrics,
        })
      : undefined;

  const context: ServerContext = {
    name,
    version,
    config,
    primary,
    canary:
      second?.role === 'canary' && secondServing
        ? { model: secondServing, percent: second.percent }
        : undefined,
    shadow: scorer && secondServing ? { model: secondServing, scorer } : undefined,
    serverName: options.serverName ?? 'modelship',
    serverVersion: options.serverVersion ?? '0.0.0',
    maxPredictBytes: maxPredict,
    maxInferBytes: maxInfer,
    maxJsonDepth: maxDepth,
    requestTimeoutMs: timeoutMs,
    metrics,
    modelMetrics,
    isReady: () => !!model && (!second || !!secondLoaded) && !closing,
    loadedModel: () => primary.loaded(),
  };

  /** The route table's answer: 404 for a path no route serves, 405 for another method. */
  async function route(
    method: string,
    path: string,
    req: IncomingMessage,
    ctx: { id?: string; deadline: number },
  ): Promise<Routed> {
    const found = findRoute(path);
    if (!found) {
      return {
        route: 'not_found',
        reply: { status: 404, body: { error: `no route ${method} ${path}` } },
      };
    }
    const { route: handler, params } = found;
    const wrong = allow(method, handler.method);
    if (wrong) return { route: handler.name, reply: wrong };
    const answer = await handler.handle({ method, path, req, params, ctx }, context);
    if (handler.inference && addedLatencyMs > 0) await delay(addedLatencyMs);
    return { route: handler.name, ...answer };
  }

  /** The route's answer, or 504 once the request has taken longer than the timeout. */
  async function answer(
    method: string,
    path: string,
    req: IncomingMessage,
    ctx: { id?: string; deadline: number },
  ): Promise<Routed & { timedOut?: boolean }> {
    running++;
    const work = route(method, path, req, ctx).finally(() => {
      running--;
      settle();
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new BadRequest(
              `the request was not answered within the limit of ${timeoutMs} ms; retry, or send fewer rows per request.`,
              504,
            ),
          ),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      const routeName = findRoute(path)?.route.name ?? 'not_found';
      if (error instanceof ClientGone) {
        // No one is left to read an answer; 499 (client closed request) in the log and metrics.
        return {
          route: routeName,
          reply: { status: 499, body: { error: error.message } },
        };
      }
      if (error instanceof BadRequest) {
        return {
          route: routeName,
          reply: { status: error.status, body: { error: error.message } },
          ...(error.status === 504 ? { timedOut: true } : {}),
        };
      }
      log({ event: 'error', route: routeName, error: messageOf(error) });
      return {
        route: routeName,
        reply: { status: 500, body: { error: `internal error: ${firstLine(messageOf(error))}` } },
      };
    } finally {
      clearTimeout(timer);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    inFlight++;
    metrics.inFlight = inFlight;
    try {
      await respond(req, res);
    } finally {
      inFlight--;
      metrics.inFlight = inFlight;
      settle();
    }
  }

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0]!;
    const headerId = req.headers['x-request-id'];
    const ctx: { id?: string; deadline: number } = { deadline: started + timeoutMs };
    if (typeof headerId === 'string' && headerId.length <= MAX_ID_LENGTH) ctx.id = headerId;
    const { route: routeName, reply, rows, timedOut, after } = await answer(method, path, req, ctx);
    let requestId = ctx.id;
    const replyBody = reply.body as Record<string, unknown> | string;
    if (typeof replyBody === 'object' && replyBody !== null) {
      if (typeof replyBody.id === 'string') requestId = replyBody.id;
      else if (requestId && 'error' in replyBody) replyBody.id = requestId;
    }
    // The id as the body has it may hold any character and be of any length; the header and the
    // log get a safe form, and only of an id of at most MAX_ID_LENGTH characters.
    const safeId =
      requestId && requestId.length <= MAX_ID_LENGTH ? headerSafe(requestId) : undefined;
    const text = typeof replyBody === 'string' ? replyBody : JSON.stringify(replyBody);
    const headers: Record<string, string | number> = {
      'content-type': reply.contentType ?? 'application/json',
      'content-length': Buffer.byteLength(text),
    };
    let payload: string | Buffer = text;
    if (reply.binary) {
      payload = Buffer.concat([Buffer.from(text), ...reply.binary]);
      headers['content-type'] = 'application/octet-stream';
      headers['content-length'] = payload.length;
      headers['inference-header-content-length'] = Buffer.byteLength(text);
    }
    if (safeId) headers['x-request-id'] = safeId;
    if (reply.headers) Object.assign(headers, reply.headers);
    // After a 413 or a timeout, or an answer before the body ended, the body may be unread: the
    // connection cannot be reused, and the client must know before it sends another request on it.
    if (closing || reply.status === 413 || timedOut || !req.complete) headers.connection = 'close';
    const seconds = (performance.now() - started) / 1000;
    metrics.observe(routeName, reply.status, seconds);
    log({
      event: 'request',
      method,
      path: loggedPath(path),
      route: routeName,
      status: reply.status,
      duration_ms: Math.round(seconds * 1e6) / 1e3,
      ...(rows !== undefined ? { rows } : {}),
      ...(safeId ? { id: safeId } : {}),
    });
    await new Promise<void>((resolve) => {
      // 'close' comes once the answer is sent or the connection is gone; it may be gone already.
      res.once('close', resolve);
      // A body still arriving after a timeout is cut off, which also ends the route reading it.
      if (!req.complete) res.once('finish', () => req.destroy());
      send(res, reply.status, headers, payload);
      if (res.destroyed || res.closed || req.socket.destroyed) resolve();
    });
    // The answer is written: what comes next (the shadow's scoring) cannot change it.
    try {
      after?.();
    } catch (error) {
      log({ event: 'error', route: 'after', error: messageOf(error) });
    }
  }

  /** Writes the answer; a header Node refuses becomes a plain 500, never a thrown error. */
  function send(
    res: ServerResponse,
    status: number,
    headers: Record<string, string | number>,
    payload: string | Buffer,
  ): void {
    try {
      res.writeHead(status, headers);
      res.end(payload);
      return;
    } catch (error) {
      log({ event: 'error', route: 'write', error: messageOf(error) });
    }
    try {
      const text = JSON.stringify({ error: 'internal error: the answer could not be written.' });
      res.writeHead(500, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        connection: 'close',
      });
      res.end(text);
    } catch {
      res.destroy();
    }
  }

  const server = createHttpServer(
    {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: headersTimeoutMs,
      // Off: a request whose headers are in is timed by requestTimeoutMs (504), body included.
      requestTimeout: 0,
      // How often Node looks for connections past the headers timeout (its default is 30 s).
      connectionsCheckingInterval: Math.min(1_000, headersTimeoutMs),
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        log({ event: 'error', route: 'handle', error: messageOf(error) });
        res.destroy();
      });
    },
  );
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Malformed HTTP, headers too large or too slow: a JSON error like every other, then close.
  server.on('clientError', (error: NodeJS.ErrnoException & { reason?: string }, socket: Socket) => {
    const answered = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    const code = error.code ?? '';
    if (!socket.writable || answered?.headersSent || code === 'ECONNRESET' || code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const [status, reason, message] =
      code === 'HPE_HEADER_OVERFLOW'
        ? [
            431,
            'Request Header Fields Too Large',
            `the request line and headers are larger than the limit of ${MAX_HEADER_BYTES} bytes.`,
          ]
        : code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [
              408,
              'Request Timeout',
              `the request headers did not arrive within the limit of ${headersTimeoutMs} ms.`,
            ]
          : [
              400,
              'Bad Request',
              `malformed HTTP request (${code || 'parse error'}${error.reason ? `: ${error.reason}` : ''}).`,
            ];
    metrics.observe('bad_http', status, 0);
    log({ event: 'bad_http', status, code });
    const text = JSON.stringify({ error: message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`,
    );
    socket.destroySoon();
  });

  let closed: Promise<void> | undefined;
  return {
    server,
    name,
    version,
    ready,
    async listen(port = 8080, host = '127.0.0.1') {
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error) => reject(listenError(error, host, port)));
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
        if (inFlight > 0 || running > 0) await new Promise<void>((resolve) => (drained = resolve));
        // Every request is answered: what is left is idle, or a client still sending headers.
        server.closeAllConnections();
        await stopped;
        await scorer?.close();
        for (const loaded of await loadedModels) await loaded.release();
        log({ event: 'closed' });
      })();
      return closed;
    },
  };
}

/** A failure to listen, as one sentence that names the host or port and what to do. */
export function listenError(error: unknown, host: string, port: number): ModelshipError {
  const code = (error as NodeJS.ErrnoException).code;
  const shownHost = JSON.stringify(host).slice(1, -1);
  if (
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    code === 'EAI_FAIL' ||
    code === 'EAI_NONAME'
  ) {
    return new ModelshipError(
      `--host ${shownHost} is not an address of this machine nor a name that resolves to one (${code}); pass an IP address such as 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'EINVAL' || code === 'EAFNOSUPPORT') {
    return new ModelshipError(
      `--host ${shownHost} is not an address of this machine (${code}); pass one of its addresses, such as 127.0.0.1 (this machine only) or 0.0.0.0 (all interfaces).`,
    );
  }
  if (code === 'EADDRINUSE') {
    return new ModelshipError(
      `--port ${port} on ${shownHost} is in use by another program; stop it, or pass another --port (0 picks a free one).`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new ModelshipError(
      `--port ${port} on ${shownHost} needs privileges this process does not have (${code}); pass a port above 1023.`,
    );
  }
  return new ModelshipError(
    `cannot listen on ${shownHost} port ${port} (${firstLine(messageOf(error))}); check --host and --port.`,
  );
}

function allow(method: string, wanted: string): Reply | undefined {
  if (method === wanted || (wanted === 'GET' && method === 'HEAD')) return undefined;
  return { status: 405, body: { error: `${method} is not allowed here; use ${wanted}.` } };
}

/** A model's name (options, else its config's model.name, else its file's) and version. */
function namesOf(m: ModelOptions): { name: string; version: string } {
  return {
    name:
      m.modelName ??
      m.config?.model.name ??
      (m.modelPath.split(/[\\/]/).pop() ?? 'model').replace(/\.onnx$/i, ''),
    version: m.modelVersion ?? '1',
  };
}

type SecondModel = { options: ModelOptions; name: string; version: string } & (
  { role: 'shadow'; logFile: string; queueSize: number } | { role: 'canary'; percent: number }
);

/** The shadow or canary model, checked: one of them at most, able to answer what the primary does. */
function secondModel(options: ServeOptions): SecondModel | undefined {
  if (options.shadow && options.canary)
    throw new ModelshipError(
      '--shadow and --canary were both given; serve one second model at a time (a shadow to compare, or a canary to answer a share of requests).',
    );
  const flag = options.shadow ? '--shadow' : '--canary';
  const m = options.shadow ?? options.canary;
  if (!m) return undefined;
  if (options.config && !m.config)
    throw new ModelshipError(
      `${flag} ${m.modelPath}: has no modelship.yml, so it cannot answer /predict as the primary does; pass a release bundle directory (modelship package --out).`,
    );
  const names = namesOf(m);
  if (options.canary) {
    const percent = options.canary.percent;
    if (!(Number.isFinite(percent) && percent >= 0 && percent <= 100))
      throw new ModelshipError(
        `--canary-percent ${percent} is not a percentage; pass a number from 0 to 100.`,
      );
    return { role: 'canary', options: m, ...names, percent };
  }
  return {
    role: 'shadow',
    options: m,
    ...names,
    logFile: options.shadow!.logFile ?? DEFAULT_SHADOW_LOG,
    queueSize: options.shadow!.queueSize ?? DEFAULT_SHADOW_QUEUE,
  };
}

function notLoaded(): BadRequest {
  return new BadRequest(
    'the model is not loaded yet; retry when /v2/health/ready answers 200.',
    503,
  );
}
