import type { IncomingMessage } from 'node:http';
import type { ModelshipConfig } from '../../config/modelshipConfig.js';
import { BadRequest } from '../inferRequest.js';
import { featureWidth } from '../../model/featureMatrix.js';
import type { ServeMetrics } from '../metrics.js';
import type { ModelMetrics, ModelRole } from '../modelMetrics.js';
import type { ModelRunner } from '../modelRunner.js';
import type { ServedModel } from '../servedModel.js';
import type { ShadowScorer } from '../shadow.js';

/** What a route answers: a status and a JSON body (or text, with its content type). */
export interface Reply {
  status: number;
  body: unknown;
  contentType?: string;
  /** Binary tensor data after the JSON body (Inference-Header-Content-Length). */
  binary?: Buffer[];
  /** Extra response headers (already header-safe). */
  headers?: Record<string, string>;
}

/** A route's answer, with the rows it scored (logged). */
export interface Answer {
  reply: Reply;
  rows?: number;
  /** Runs once the answer is written (the shadow's scoring is queued here). */
  after?: () => void;
}

/** One loaded model: what it is called, and what runs it. */
export interface LoadedModel {
  served: ServedModel;
  runner: ModelRunner;
}

/** A model the server answers with, or compares with (the shadow), and how it labels. */
export interface ServingModel {
  readonly role: ModelRole;
  readonly name: string;
  readonly version: string;
  readonly config: ModelshipConfig | undefined;
  readonly negativeLabel: string | undefined;
  readonly classes: string[] | undefined;
  /** The loaded model; a 503 BadRequest before it is. */
  loaded(): LoadedModel;
}

/** What every route of one server shares; built once by createServer. */
export interface ServerContext {
  /** The primary model's name, version and config (the model the paths name). */
  readonly name: string;
  readonly version: string;
  readonly config: ModelshipConfig | undefined;
  readonly primary: ServingModel;
  /** A second model answering `percent` of the routing keys (--canary). */
  readonly canary: { model: ServingModel; percent: number } | undefined;
  /** A second model scoring every request after the primary answered it (--shadow). */
  readonly shadow: { model: ServingModel; scorer: ShadowScorer } | undefined;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly maxPredictBytes: number;
  readonly maxInferBytes: number;
  readonly maxJsonDepth: number;
  /** A request's time limit; the shadow gets the same for its own run. */
  readonly requestTimeoutMs: number;
  readonly metrics: ServeMetrics;
  readonly modelMetrics: ModelMetrics;
  /** True once the model is loaded and until the server starts closing. */
  isReady(): boolean;
  /** The loaded model; a 503 BadRequest before it is. */
  loadedModel(): LoadedModel;
}

/** One request as a route sees it. */
export interface RouteRequest {
  method: string;
  path: string;
  req: IncomingMessage;
  /** The path's parameters, as the route's match found them. */
  params: Record<string, string>;
  /** The request id (x-request-id, then the body's `id` once read) and the answer's deadline. */
  ctx: { id?: string; deadline: number };
}

export interface Route {
  /** The name in logs and metrics. */
  name: string;
  method: 'GET' | 'POST';
  /** The path's parameters when this route serves the path, else undefined. */
  match(path: string): Record<string, string> | undefined;
  handle(request: RouteRequest, server: ServerContext): Promise<Answer> | Answer;
  /** An inference route: --added-latency-ms delays its answers. */
  inference?: boolean;
}

/** A route for one fixed path. */
export function exactPath(
  ...paths: string[]
): (path: string) => Record<string, string> | undefined {
  return (path) => (paths.includes(path) ? {} : undefined);
}

const MODEL_PATH = /^\/v2\/models\/([^/]+)(?:\/versions\/([^/]+))?(\/ready|\/infer)?\/?$/;

/**
 * The matcher of /v2/models/{name}[/versions/{version}]{action}: one expression for the three
 * model routes, so `/v2/models/m/versions/infer` stays the metadata of version "infer".
 */
export function modelPath(
  action: '' | '/ready' | '/infer',
): (path: string) => Record<string, string> | undefined {
  return (path) => {
    const match = MODEL_PATH.exec(path);
    if (!match || (match[3] ?? '') !== action) return undefined;
    return { name: match[1]!, ...(match[2] !== undefined ? { version: match[2] } : {}) };
  };
}

/** The F of a [batch, F] model's input as modelship.yml's features make it (its metadata may say N). */
export function widthOf(served: ServedModel): number | undefined {
  return served.rows?.layout === 'matrix' && served.features
    ? featureWidth(served.features)
    : undefined;
}

export function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * 404 unless the path names the served model, and a version it serves (the primary's, or the
 * canary's); returns the model a version in the path pins, if any.
 */
export function checkModelPath(
  params: Record<string, string>,
  server: ServerContext,
): ServingModel | undefined {
  const wantedName = decode(params.name!);
  if (wantedName !== server.name)
    throw new BadRequest(`Model with name ${wantedName} does not exist.`, 404);
  if (params.version === undefined) return undefined;
  const wantedVersion = decode(params.version);
  if (wantedVersion === server.version) return server.primary;
  if (server.canary && wantedVersion === server.canary.model.version) return server.canary.model;
  throw new BadRequest(
    `Model with name ${wantedName} and version ${wantedVersion} does not exist.`,
    404,
  );
}

/**
 * Runs one model's scoring and measures it; with a server, the time is also a sample of the
 * model's latency on /metrics (the shadow's is recorded with its comparison).
 */
export async function timed<T>(
  server: ServerContext | undefined,
  model: ServingModel,
  score: () => Promise<T>,
): Promise<{ ms: number; body: T }> {
  const started = performance.now();
  const body = await score();
  const ms = performance.now() - started;
  server?.modelMetrics.observeModel(model.role, model.name, model.version, ms / 1000);
  return { ms, body };
}
