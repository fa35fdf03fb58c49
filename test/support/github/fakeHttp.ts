/** The HTTP side every GitHub fake route shares: requests, replies, errors, pagination. */
import type { FakeState, Grant, RepoState, Scope } from './fakeState.js';

export interface FakeRequest {
  /** Path and query parameters, coerced to their schema types. */
  params: Record<string, unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- validated against the schema
  body: any;
  grant: Grant;
  accept: string;
  /** The request's Content-Type header. */
  contentType: string;
  /** The request body as sent: the file of an asset upload. */
  raw: Buffer;
  url: URL;
  api: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const DOCS = 'https://docs.github.com/rest';

/** An error answer in GitHub's shape; the fake turns it into a response. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: { resource: string; field: string; code: string; message: string }[],
  ) {
    super(message);
  }

  get body() {
    return {
      message: this.message,
      documentation_url: DOCS,
      status: String(this.status),
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const notFound = () => new HttpError(404, 'Not Found');
export const noIntegrationAccess = () =>
  new HttpError(403, 'Resource not accessible by integration');

export function tooLong(resource: string, field: string, max: number) {
  return new HttpError(422, 'Validation Failed', [
    {
      resource,
      field,
      code: 'custom',
      message: `${field} is too long (maximum is ${max} characters)`,
    },
  ]);
}

export function requireWrite(request: FakeRequest, scope: Scope): void {
  if (!request.grant.writes.has(scope)) {
    throw request.grant.app
      ? noIntegrationAccess()
      : new HttpError(403, `Must have write access to ${scope}`);
  }
}

/** One page of `items` and GitHub's Link header for the others. */
export function paginate<T>(
  request: FakeRequest,
  items: T[],
): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(request.params.per_page ?? 30), 1), 100);
  const page = Math.max(Number(request.params.page ?? 1), 1);
  const last = Math.max(Math.ceil(items.length / perPage), 1);
  const link = (n: number, rel: string) => {
    const url = new URL(request.url.pathname + request.url.search, request.api);
    url.searchParams.set('per_page', String(perPage));
    url.searchParams.set('page', String(n));
    return `<${url.href}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(page - 1, 'prev'));
  if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
  if (page > 1) links.push(link(1, 'first'));
  const headers: Record<string, string> = links.length > 0 ? { link: links.join(', ') } : {};
  return { page: items.slice((page - 1) * perPage, page * perPage), headers };
}

export function list<T>(request: FakeRequest, items: T[], toJson: (item: T) => unknown): Reply {
  const { page, headers } = paginate(request, items);
  return { status: 200, body: page.map(toJson), headers };
}

export type Handler = (fake: FakeState, repo: RepoState | undefined, request: FakeRequest) => Reply;

export const need = (repo: RepoState | undefined): RepoState => {
  if (!repo) throw notFound();
  return repo;
};

/** 422 Validation Failed with one error, answered rather than thrown (it is no test violation). */
export function validationFailed(resource: string, field: string, code: string): Reply {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource, code, field }],
      documentation_url: DOCS,
    },
  };
}
