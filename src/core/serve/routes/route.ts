import type { IncomingMessage } from 'node:http';
import type { ModelshipConfig } from '../../config/modelshipConfig.js';
import { BadRequest } from '../inferRequest.js';
import { featureWidth } from '../../model/featureMatrix.js';
import type { ServeMetrics } from '../metrics.js';
import type { ModelRunner } from '../modelRunner.js';
import type { ServedModel } from '../servedModel.js';

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
}

/** One loaded model: what it is called, and what runs it. */
export interface LoadedModel {
  served: ServedModel;
  runner: ModelRunner;
}

/** What every route of one server shares; built once by createServer. */
export interface ServerContext {
  readonly name: string;
  readonly version: string;
  readonly config: ModelshipConfig | undefined;
  readonly negativeLabel: string | undefined;
  readonly classes: string[] | undefined;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly maxPredictBytes: number;
  readonly maxInferBytes: number;
  readonly maxJsonDepth: number;
  readonly metrics: ServeMetrics;
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

/** 404 unless the path names the served model (and its version, when it names one). */
export function checkModelPath(params: Record<string, string>, server: ServerContext): void {
  const wantedName = decode(params.name!);
  if (wantedName !== server.name)
    throw new BadRequest(`Model with name ${wantedName} does not exist.`, 404);
  if (params.version !== undefined && decode(params.version) !== server.version) {
    throw new BadRequest(
      `Model with name ${wantedName} and version ${decode(params.version)} does not exist.`,
      404,
    );
  }
}
