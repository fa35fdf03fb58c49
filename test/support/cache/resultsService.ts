/**
 * A stand-in for the GitHub Actions results service, for testing the real @actions/cache (v2
 * cache service) and @actions/artifact clients. It answers the Twirp JSON endpoints those
 * clients call (POST /twirp/github.actions.results.api.v1.<Service>/<Method>, protobuf field
 * names, int64 as strings, errors as `{ code, msg }`), keeps entries in memory and hands out SAS
 * URLs to blobs in a real Azurite, which the clients upload to and download from with the Azure
 * SDK as they do against GitHub.
 *
 * Every request body is checked against the message shapes of the installed clients' generated
 * code (strict: an unknown field is a violation), the bearer token against the one issued, and
 * an artifact request's run and job ids against the token's `Actions.Results` scope. What the
 * service finds wrong in a request or an upload (a body of the wrong shape, a reported size or
 * digest that differs from the blob) is recorded in `violations`, which tests expect to stay
 * empty.
 *
 * Behaviour modelled on the real service:
 * - cache entries are scoped by `version`; CreateCacheEntry for a key and version that exist
 *   (finalized or still uploading) is 409 `already_exists`; lookup tries the primary key then
 *   each restore key in order, each first exactly, then as a prefix (newest entry wins);
 * - artifact names are unique per workflow run: CreateArtifact for a finalized name is 409
 *   `already_exists` ("an artifact with this name already exists on the workflow run");
 *   DeleteArtifact frees the name.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BlobSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  type ContainerClient,
} from '@azure/storage-blob';
import { z } from 'zod';
import { startAzurite, type Azurite } from './azurite.js';

const CACHE_SERVICE = 'github.actions.results.api.v1.CacheService';
const ARTIFACT_SERVICE = 'github.actions.results.api.v1.ArtifactService';
const CACHE_CONTAINER = 'actions-cache';
const ARTIFACT_CONTAINER = 'actions-results';
const SAS_LIFETIME_MS = 60 * 60 * 1000;

/** Twirp error codes used here, with their HTTP statuses (twirp spec). */
const TWIRP_STATUS = {
  malformed: 400,
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  failed_precondition: 412,
  internal: 500,
} as const;
type TwirpCode = keyof typeof TWIRP_STATUS;

class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
  ) {
    super(message);
  }
}

const int64 = z.string().regex(/^-?\d+$/);
const runIds = {
  workflow_run_backend_id: z.string().min(1),
  workflow_job_run_backend_id: z.string().min(1),
};
/** Request messages as the clients' JSON encoding sends them (default values omitted). */
const REQUESTS = {
  [`${CACHE_SERVICE}/CreateCacheEntry`]: z.strictObject({
    metadata: z.unknown().optional(),
    key: z.string().min(1),
    version: z.string().min(1),
  }),
  [`${CACHE_SERVICE}/FinalizeCacheEntryUpload`]: z.strictObject({
    metadata: z.unknown().optional(),
    key: z.string().min(1),
    size_bytes: int64,
    version: z.string().min(1),
  }),
  [`${CACHE_SERVICE}/GetCacheEntryDownloadURL`]: z.strictObject({
    metadata: z.unknown().optional(),
    key: z.string().min(1),
    restore_keys: z.array(z.string().min(1)).optional(),
    version: z.string().min(1),
  }),
  [`${ARTIFACT_SERVICE}/CreateArtifact`]: z.strictObject({
    ...runIds,
    name: z.string().min(1),
    expires_at: z.iso.datetime().optional(),
    version: z.number().int(),
    mime_type: z.string().optional(),
  }),
  [`${ARTIFACT_SERVICE}/FinalizeArtifact`]: z.strictObject({
    ...runIds,
    name: z.string().min(1),
    size: int64,
    hash: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .optional(),
  }),
  [`${ARTIFACT_SERVICE}/ListArtifacts`]: z.strictObject({
    ...runIds,
    name_filter: z.string().optional(),
    id_filter: int64.optional(),
  }),
  [`${ARTIFACT_SERVICE}/GetSignedArtifactURL`]: z.strictObject({
    ...runIds,
    name: z.string().min(1),
  }),
  [`${ARTIFACT_SERVICE}/DeleteArtifact`]: z.strictObject({
    ...runIds,
    name: z.string().min(1),
  }),
};
type Route = keyof typeof REQUESTS;
type RequestOf<R extends Route> = z.infer<(typeof REQUESTS)[R]>;
type RunScoped = { workflow_run_backend_id: string; workflow_job_run_backend_id: string };

export interface CacheEntry {
  id: number;
  key: string;
  version: string;
  blobName: string;
  finalized: boolean;
  sizeBytes?: number;
  createdAt: Date;
}

export interface StoredArtifact {
  id: number;
  name: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  blobName: string;
  finalized: boolean;
  size?: number;
  digest?: string;
  createdAt: Date;
  expiresAt?: string;
}

export interface RecordedCall {
  route: string;
  status: number;
  code?: TwirpCode;
}

/** An unsigned JWT whose `scp` claim carries the run's and job's backend ids, as the runner's. */
export function runtimeToken(workflowRunBackendId: string, workflowJobRunBackendId: string) {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = {
    scp: `Actions.GenericRead:00000000-0000-0000-0000-000000000000 Actions.Results:${workflowRunBackendId}:${workflowJobRunBackendId} Actions.UploadArtifacts:00000000-0000-0000-0000-000000000000:${workflowJobRunBackendId}`,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600,
  };
  return `${part({ typ: 'JWT', alg: 'none' })}.${part(claims)}.${Buffer.from('stand-in').toString('base64url')}`;
}

export class ResultsService {
  readonly cacheEntries: CacheEntry[] = [];
  readonly artifacts: StoredArtifact[] = [];
  readonly calls: RecordedCall[] = [];
  readonly violations: string[] = [];
  readonly workflowRunBackendId = randomUUID();
  readonly workflowJobRunBackendId = randomUUID();
  readonly token = runtimeToken(this.workflowRunBackendId, this.workflowJobRunBackendId);
  url = '';
  private nextId = 1;
  private server: Server | undefined;

  private constructor(readonly azurite: Azurite) {}

  /** Starts Azurite and the stand-in on ephemeral ports of 127.0.0.1. */
  static async start(): Promise<ResultsService> {
    const azurite = await startAzurite();
    const service = new ResultsService(azurite);
    try {
      await azurite.service.getContainerClient(CACHE_CONTAINER).create();
      await azurite.service.getContainerClient(ARTIFACT_CONTAINER).create();
      const server = createServer((req, res) => {
        service.handle(req, res).catch((error: unknown) => {
          service.violations.push(`stand-in crashed: ${String(error)}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'internal', msg: String(error) }));
        });
      });
      service.server = server;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      service.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  /** The environment a runner gives a step, pointing both clients at this stand-in. */
  env(): Record<string, string> {
    return {
      ACTIONS_RESULTS_URL: `${this.url}/`,
      ACTIONS_RUNTIME_TOKEN: this.token,
      ACTIONS_CACHE_SERVICE_V2: 'true',
      GITHUB_SERVER_URL: 'https://github.com',
    };
  }

  /** Stops the HTTP server (closing idle keep-alive sockets) and Azurite. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
    await this.azurite.stop();
  }

  /** The bytes of an artifact's blob, read straight from Azurite. */
  async artifactBlob(artifact: StoredArtifact): Promise<Buffer> {
    return this.container(ARTIFACT_CONTAINER).getBlobClient(artifact.blobName).downloadToBuffer();
  }

  /** Whether the blob of an artifact still exists in Azurite. */
  async artifactBlobExists(artifact: StoredArtifact): Promise<boolean> {
    return this.container(ARTIFACT_CONTAINER).getBlobClient(artifact.blobName).exists();
  }

  /** Calls made to one method, e.g. `CreateCacheEntry`. */
  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((call) => call.route.endsWith(`/${method}`));
  }

  private container(name: string): ContainerClient {
    return this.azurite.service.getContainerClient(name);
  }

  private sasUrl(container: string, blobName: string, permissions: string): string {
    const blob = this.container(container).getBlobClient(blobName);
    const sas = generateBlobSASQueryParameters(
      {
        containerName: container,
        blobName,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(Date.now() - 60_000),
        expiresOn: new Date(Date.now() + SAS_LIFETIME_MS),
        protocol: SASProtocol.HttpsAndHttp,
      },
      this.azurite.credential,
    );
    return `${blob.url}?${sas.toString()}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const route = (req.url ?? '').replace(/^\/twirp\//, '').split('?')[0]!;
    let status = 200;
    let body: unknown;
    let code: TwirpCode | undefined;
    try {
      body = await this.dispatch(req, route, Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      if (!(error instanceof TwirpError)) throw error;
      code = error.code;
      status = TWIRP_STATUS[code];
      body = { code, msg: error.message };
    }
    this.calls.push({ route, status, ...(code ? { code } : {}) });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async dispatch(req: IncomingMessage, route: string, text: string): Promise<unknown> {
    if (req.method !== 'POST' || !(route in REQUESTS)) {
      this.violations.push(`${req.method} ${req.url}: no such Twirp method`);
      throw new TwirpError('not_found', `no handler for ${req.method} ${req.url}`);
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      this.violations.push(`${route}: content-type ${req.headers['content-type']}`);
      throw new TwirpError('malformed', 'expected application/json');
    }
    if (req.headers.authorization !== `Bearer ${this.token}`) {
      throw new TwirpError('unauthenticated', 'invalid or missing runtime token');
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      this.violations.push(`${route}: body is not JSON`);
      throw new TwirpError('malformed', 'the body is not JSON');
    }
    const parsed = REQUESTS[route as Route].safeParse(json);
    if (!parsed.success) {
      this.violations.push(`${route}: ${parsed.error.message} in ${text}`);
      throw new TwirpError('malformed', parsed.error.message);
    }
    if (route.startsWith(ARTIFACT_SERVICE)) this.checkScope(parsed.data as RunScoped);
    const handler = this.handlers[route as Route] as (request: unknown) => unknown;
    return handler(parsed.data);
  }

  /** One handler per Twirp method, each given its request as validated. */
  private readonly handlers: { [R in Route]: (request: RequestOf<R>) => unknown } = {
    [`${CACHE_SERVICE}/CreateCacheEntry`]: (request) => this.createCacheEntry(request),
    [`${CACHE_SERVICE}/FinalizeCacheEntryUpload`]: (request) => this.finalizeCacheEntry(request),
    [`${CACHE_SERVICE}/GetCacheEntryDownloadURL`]: (request) => this.cacheDownloadUrl(request),
    [`${ARTIFACT_SERVICE}/CreateArtifact`]: (request) => this.createArtifact(request),
    [`${ARTIFACT_SERVICE}/FinalizeArtifact`]: (request) => this.finalizeArtifact(request),
    [`${ARTIFACT_SERVICE}/ListArtifacts`]: (request) => this.listArtifacts(request),
    [`${ARTIFACT_SERVICE}/GetSignedArtifactURL`]: (request) => this.artifactUrl(request),
    [`${ARTIFACT_SERVICE}/DeleteArtifact`]: (request) => this.deleteArtifact(request),
  };

  /** An artifact request may only name the run and job its token was issued for. */
  private checkScope(body: RunScoped): void {
    if (
      body.workflow_run_backend_id !== this.workflowRunBackendId ||
      body.workflow_job_run_backend_id !== this.workflowJobRunBackendId
    ) {
      throw new TwirpError('permission_denied', 'the token is not scoped to this workflow run');
    }
  }

  // Cache service

  private createCacheEntry(request: { key: string; version: string }): unknown {
    const existing = this.cacheEntries.find(
      (entry) => entry.key === request.key && entry.version === request.version,
    );
    if (existing) {
      throw new TwirpError(
        'already_exists',
        'cache entry with the same key, version, and scope already exists',
      );
    }
    const id = this.nextId++;
    const blobName = `entries/${id}`;
    this.cacheEntries.push({
      id,
      key: request.key,
      version: request.version,
      blobName,
      finalized: false,
      createdAt: new Date(),
    });
    return { ok: true, signed_upload_url: this.sasUrl(CACHE_CONTAINER, blobName, 'cw') };
  }

  private async finalizeCacheEntry(request: {
    key: string;
    version: string;
    size_bytes: string;
  }): Promise<unknown> {
    const entry = this.cacheEntries.find(
      (candidate) =>
        candidate.key === request.key &&
        candidate.version === request.version &&
        !candidate.finalized,
    );
    if (!entry) throw new TwirpError('not_found', 'no cache entry awaiting upload for this key');
    const blob = this.container(CACHE_CONTAINER).getBlobClient(entry.blobName);
    if (!(await blob.exists())) {
      return { ok: false, message: 'the cache archive was not uploaded' };
    }
    const size = (await blob.getProperties()).contentLength;
    if (size !== Number(request.size_bytes)) {
      this.violations.push(
        `FinalizeCacheEntryUpload: size_bytes ${request.size_bytes}, blob has ${size} bytes`,
      );
    }
    entry.finalized = true;
    entry.sizeBytes = size;
    entry.createdAt = new Date();
    return { ok: true, entry_id: String(entry.id) };
  }

  private cacheDownloadUrl(request: {
    key: string;
    restore_keys?: string[] | undefined;
    version: string;
  }): unknown {
    const candidates = this.cacheEntries
      .filter((entry) => entry.finalized && entry.version === request.version)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
    for (const key of [request.key, ...(request.restore_keys ?? [])]) {
      const match =
        candidates.find((entry) => entry.key === key) ??
        candidates.find((entry) => entry.key.startsWith(key));
      if (match) {
        return {
          ok: true,
          signed_download_url: this.sasUrl(CACHE_CONTAINER, match.blobName, 'r'),
          matched_key: match.key,
        };
      }
    }
    return { ok: false };
  }

  // Artifact service

  private findArtifact(name: string): StoredArtifact | undefined {
    return this.artifacts.find(
      (artifact) =>
        artifact.workflowRunBackendId === this.workflowRunBackendId && artifact.name === name,
    );
  }

  private createArtifact(request: {
    workflow_run_backend_id: string;
    workflow_job_run_backend_id: string;
    name: string;
    version: number;
    expires_at?: string | undefined;
  }): unknown {
    if (request.version < 4) {
      throw new TwirpError(
        'invalid_argument',
        `artifact version ${request.version} is not supported`,
      );
    }
    const existing = this.findArtifact(request.name);
    if (existing?.finalized) {
      throw new TwirpError(
        'already_exists',
        'an artifact with this name already exists on the workflow run',
      );
    }
    if (existing) this.artifacts.splice(this.artifacts.indexOf(existing), 1);
    const id = this.nextId++;
    const blobName = `${request.workflow_run_backend_id}/${id}.zip`;
    this.artifacts.push({
      id,
      name: request.name,
      workflowRunBackendId: request.workflow_run_backend_id,
      workflowJobRunBackendId: request.workflow_job_run_backend_id,
      blobName,
      finalized: false,
      createdAt: new Date(),
      ...(request.expires_at ? { expiresAt: request.expires_at } : {}),
    });
    return { ok: true, signed_upload_url: this.sasUrl(ARTIFACT_CONTAINER, blobName, 'cw') };
  }

  private async finalizeArtifact(request: {
    name: string;
    size: string;
    hash?: string | undefined;
  }): Promise<unknown> {
    const artifact = this.findArtifact(request.name);
    if (!artifact || artifact.finalized) {
      throw new TwirpError('not_found', `no artifact ${request.name} awaiting upload`);
    }
    const blob = this.container(ARTIFACT_CONTAINER).getBlobClient(artifact.blobName);
    if (!(await blob.exists())) {
      throw new TwirpError('failed_precondition', 'the artifact was not uploaded');
    }
    const bytes = await blob.downloadToBuffer();
    if (bytes.length !== Number(request.size)) {
      this.violations.push(
        `FinalizeArtifact: size ${request.size}, blob has ${bytes.length} bytes`,
      );
    }
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (request.hash !== undefined && request.hash !== digest) {
      this.violations.push(`FinalizeArtifact: hash ${request.hash}, blob has ${digest}`);
    }
    artifact.finalized = true;
    artifact.size = bytes.length;
    artifact.digest = digest;
    return { ok: true, artifact_id: String(artifact.id) };
  }

  private listArtifacts(request: {
    name_filter?: string | undefined;
    id_filter?: string | undefined;
  }): unknown {
    const artifacts = this.artifacts.filter(
      (artifact) =>
        artifact.finalized &&
        artifact.workflowRunBackendId === this.workflowRunBackendId &&
        (request.name_filter === undefined || artifact.name === request.name_filter) &&
        (request.id_filter === undefined || String(artifact.id) === request.id_filter),
    );
    return {
      artifacts: artifacts.map((artifact) => ({
        workflow_run_backend_id: artifact.workflowRunBackendId,
        workflow_job_run_backend_id: artifact.workflowJobRunBackendId,
        database_id: String(artifact.id),
        name: artifact.name,
        size: String(artifact.size ?? 0),
        created_at: artifact.createdAt.toISOString(),
        ...(artifact.digest ? { digest: artifact.digest } : {}),
      })),
    };
  }

  private artifactUrl(request: { name: string }): unknown {
    const artifact = this.findArtifact(request.name);
    if (!artifact?.finalized) throw new TwirpError('not_found', `no artifact ${request.name}`);
    return { signed_url: this.sasUrl(ARTIFACT_CONTAINER, artifact.blobName, 'r') };
  }

  private async deleteArtifact(request: { name: string }): Promise<unknown> {
    const artifact = this.findArtifact(request.name);
    if (!artifact?.finalized) throw new TwirpError('not_found', `no artifact ${request.name}`);
    this.artifacts.splice(this.artifacts.indexOf(artifact), 1);
    await this.container(ARTIFACT_CONTAINER).getBlobClient(artifact.blobName).deleteIfExists();
    return { ok: true, artifact_id: String(artifact.id) };
  }
}
