/**
 * A local GitHub REST API for tests: a real HTTP server on 127.0.0.1 that the real Octokit talks
 * to. Every request (path and query parameters, JSON body) and every JSON response is validated
 * against GitHub's OpenAPI description; an invalid request is answered 422 as GitHub does and,
 * like an invalid response, recorded in `violations`, which every test expects to stay empty.
 *
 * Beyond the schema it enforces limits GitHub documents in prose: comment bodies of at most
 * 65,536 characters and status descriptions of at most 140 (422 Validation Failed).
 *
 * Tokens: `userToken(login)` acts like a personal access token (GET /user works, check runs are
 * refused as GitHub refuses them to non-apps); `actionsToken({ readOnly, writes })` like the
 * Actions GITHUB_TOKEN (github-actions[bot], GET /user forbidden; `readOnly` is a fork's token).
 * Faults: `failNext(operationId, fault, times, { after })` lets `after` requests through, then
 * answers the next `times` with a 502, a secondary rate limit (403 or 429 with retry-after) or a
 * plain 403. A 502 with `partial` on an asset upload first leaves what a broken-off upload leaves
 * on GitHub: an asset of that name in state `open`, half its bytes, which blocks re-uploading it.
 *
 * Asset uploads (`repos/upload-release-asset`) go to the origin of a release's `upload_url`,
 * which GitHub serves from uploads.github.com and the fake from its own address; their body is
 * the raw file, not JSON.
 *
 * To serve another operation: add it to OPERATIONS in scripts/extract-openapi.mjs, regenerate the
 * subset, and add its handler to fakeRoutes.ts (openapiSubset.test.ts fails until both agree).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { routes, HttpError, type Reply } from './fakeRoutes.js';
import { FakeState } from './fakeState.js';
import { OpenApiValidator, type Operation } from './openapiValidator.js';

export type Fault =
  | { kind: 'bad-gateway'; partial?: boolean }
  | { kind: 'secondary-rate-limit'; retryAfter: number; status?: 403 | 429 }
  | { kind: 'forbidden'; message?: string };

export interface Violation {
  kind: 'route' | 'request' | 'response';
  method: string;
  path: string;
  operationId?: string;
  errors: string[];
}

export interface RecordedRequest {
  method: string;
  path: string;
  operationId: string;
  status: number;
}

let sharedValidator: OpenApiValidator | undefined;

export class GitHubFake extends FakeState {
  readonly violations: Violation[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly validator = (sharedValidator ??= new OpenApiValidator());
  /** Per operation, what the next requests get: a fault, or null to let one through. */
  private readonly faults = new Map<string, (Fault | null)[]>();
  private server: Server | undefined;
  url = '';

  /** Starts a fake on an ephemeral port of 127.0.0.1. */
  static async start(): Promise<GitHubFake> {
    const fake = new GitHubFake();
    const server = createServer((req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake crashed: ${String(error)}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.server = server;
    fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return fake;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /**
   * The next `times` requests of the operation get `fault` instead of an answer; with `after`,
   * only once that many more requests of it have been answered normally.
   */
  failNext(operationId: string, fault: Fault, times = 1, options: { after?: number } = {}): void {
    if (!this.validator.operations.some((o) => o.operationId === operationId)) {
      throw new Error(`fake: no operation ${operationId} in the OpenAPI subset`);
    }
    const queue = this.faults.get(operationId) ?? [];
    for (let i = 0; i < (options.after ?? 0); i++) queue.push(null);
    for (let i = 0; i < times; i++) queue.push(fault);
    this.faults.set(operationId, queue);
  }

  /** Requests the fake answered for an operation. */
  requestsTo(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** What an upload that broke off leaves: an `open` asset holding half the bytes. */
  private leavePartialUpload(params: Record<string, unknown>, raw: Buffer): void {
    const release = this.findRelease(Number(params.release_id));
    const name = String(params.name);
    if (!release || release.assets.some((a) => a.name === name)) return;
    this.addAsset(release, { name, bytes: raw.subarray(0, raw.length >> 1), partial: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);

    const storage = /^\/_storage\/assets\/(\d+)$/.exec(url.pathname);
    if (storage) {
      // Release storage, not the API: what the asset redirect leads to.
      const asset = this.findAsset(Number(storage[1]));
      this.requests.push({ method, path: url.pathname, operationId: '(storage)', status: 200 });
      if (!asset) return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': asset.bytes.length,
      });
      return void res.end(asset.bytes);
    }

    const download = /^\/([^/]+)\/([^/]+)\/releases\/download\/([^/]+)\/([^/]+)$/.exec(
      url.pathname,
    );
    if (download && method === 'GET') {
      // github.com's browser_download_url (not the API): a redirect to storage, or 404. Unlike
      // the API it serves published releases only, with no token.
      const [, owner = '', name = '', tag = '', file = ''] = download.map(decodeURIComponent);
      const release = this.repoState(owner, name)?.releases.find((r) => r.tag === tag && !r.draft);
      const asset = release?.assets.find((a) => a.name === file && a.state === 'uploaded');
      this.requests.push({
        method,
        path: url.pathname,
        operationId: '(download)',
        status: asset ? 302 : 404,
      });
      if (!asset) return void res.writeHead(404).end('Not Found');
      return void res.writeHead(302, { location: `${this.url}/_storage/assets/${asset.id}` }).end();
    }

    const blob = /^\/_storage\/artifacts\/(\d+)$/.exec(url.pathname);
    if (blob) {
      // Artifact blob storage: what the artifact download redirect leads to.
      const artifact = this.findArtifact(Number(blob[1]));
      this.requests.push({ method, path: url.pathname, operationId: '(storage)', status: 200 });
      if (!artifact) return void res.writeHead(404).end();
      res.writeHead(200, {
        'content-type': 'application/zip',
        'content-length': artifact.zip.length,
      });
      return void res.end(artifact.zip);
    }

    const match = this.validator.match(method, url.pathname);
    const operation = match?.operation;
    const reply = this.answer(req, url, raw, method, match);
    // Validate what goes on the wire, not the object before serialisation.
    const json = reply.body === undefined ? undefined : JSON.stringify(reply.body);
    const served: unknown = json === undefined ? undefined : JSON.parse(json);
    const errors = this.validator.validateResponse(operation, reply.status, served);
    if (errors.length > 0) {
      this.violations.push({
        kind: 'response',
        method,
        path: url.pathname,
        operationId: operation?.operationId,
        errors,
      });
    }
    this.requests.push({
      method,
      path: url.pathname + url.search,
      operationId: operation?.operationId ?? '(unknown)',
      status: reply.status,
    });
    const headers: Record<string, string> = {
      'x-github-request-id': `FAKE:${this.requests.length}`,
      'x-github-api-version-selected': '2022-11-28',
      ...reply.headers,
    };
    if (json === undefined) return void res.writeHead(reply.status, headers).end();
    headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(reply.status, headers).end(json);
  }

  private answer(
    req: IncomingMessage,
    url: URL,
    raw: Buffer,
    method: string,
    match: ReturnType<OpenApiValidator['match']>,
  ): Reply {
    try {
      if (!match) {
        this.violations.push({
          kind: 'route',
          method,
          path: url.pathname,
          errors: ['no such operation in the OpenAPI subset'],
        });
        throw new HttpError(404, 'Not Found');
      }
      const operation: Operation = match.operation;
      const binary = operation.operationId === UPLOAD_ASSET;
      let body: unknown;
      if (raw.length > 0 && !binary) {
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          throw new HttpError(400, 'Problems parsing JSON');
        }
      }
      const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
      const grant = token ? this.grantFor(token) : undefined;
      if (!grant) throw new HttpError(401, token ? 'Bad credentials' : 'Requires authentication');

      const checked = this.validator.validateRequest(match, url.searchParams, body);
      if (checked.errors.length > 0) {
        this.violations.push({
          kind: 'request',
          method,
          path: url.pathname,
          operationId: operation.operationId,
          errors: checked.errors,
        });
        throw new HttpError(422, `Invalid request.\n\n${checked.errors.join('\n')}`);
      }
      const fault = this.faults.get(operation.operationId)?.shift();
      if (fault) {
        if (fault.kind === 'bad-gateway' && fault.partial && binary) {
          this.leavePartialUpload(checked.params, raw);
        }
        return faultReply(fault);
      }

      const handler = routes[operation.operationId];
      if (!handler) throw new Error(`fake: no handler for ${operation.operationId}`);
      const repo =
        typeof checked.params.owner === 'string' && typeof checked.params.repo === 'string'
          ? this.repoState(checked.params.owner, checked.params.repo)
          : undefined;
      return handler(this, repo, {
        params: checked.params,
        body,
        grant,
        accept: req.headers.accept ?? '',
        contentType: req.headers['content-type'] ?? '',
        raw,
        url,
        api: this.url,
      });
    } catch (error) {
      if (error instanceof HttpError) {
        if (error.status === 422 && error.errors) {
          this.violations.push({
            kind: 'request',
            method,
            path: url.pathname,
            operationId: match?.operation.operationId,
            errors: error.errors.map((e) => e.message),
          });
        }
        return { status: error.status, body: error.body };
      }
      throw error;
    }
  }
}

const UPLOAD_ASSET = 'repos/upload-release-asset';

function faultReply(fault: Fault): Reply {
  switch (fault.kind) {
    case 'bad-gateway':
      return { status: 502, body: { message: 'Server Error' } };
    case 'secondary-rate-limit':
      return {
        status: fault.status ?? 403,
        headers: { 'retry-after': String(fault.retryAfter) },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        },
      };
    case 'forbidden':
      return {
        status: 403,
        body: {
          message: fault.message ?? 'Resource not accessible by integration',
          documentation_url: 'https://docs.github.com/rest',
          status: '403',
        },
      };
  }
}
