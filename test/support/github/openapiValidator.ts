/**
 * Validates requests and responses of the GitHub fake against GitHub's OpenAPI description (the
 * subset in test/fixtures/openapi/github-subset.json, made by scripts/extract-openapi.mjs).
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a default export; NodeNext sees the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

const SUBSET_PATH = new URL('../../fixtures/openapi/github-subset.json', import.meta.url);

type Json = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Json;
  'x-multi-segment'?: boolean;
}

export interface Operation {
  operationId: string;
  method: string;
  template: string;
  pointer: string;
  parameters: Parameter[];
  pattern: RegExp;
  pathNames: string[];
  bodyRequired: boolean;
}

export interface RouteMatch {
  operation: Operation;
  pathParams: Record<string, string>;
}

/** OpenAPI 3.0 `nullable` as JSON Schema: Ajv's own support rejects `nullable` beside `allOf`. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = toJsonSchema(value);
  if (out.nullable !== true) return out;
  delete out.nullable;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [out, { type: 'null' }] };
}

const escapePointer = (part: string) => part.replace(/~/g, '~0').replace(/\//g, '~1');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class OpenApiValidator {
  readonly document: Json;
  readonly operations: Operation[] = [];
  private readonly strict: Ajv;
  private readonly coercing: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(path: URL = SUBSET_PATH) {
    this.document = toJsonSchema(JSON.parse(readFileSync(path, 'utf8'))) as Json;
    const make = (coerceTypes: boolean) => {
      // strict: false lets OpenAPI's own keywords (example, discriminator, x-*) pass unread.
      const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes });
      addFormats(ajv);
      ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
      // `owner/name`, as pulls/create's head_repo is documented.
      ajv.addFormat('repo.nwo', /^[^/]+\/[^/]+$/);
      ajv.addSchema(this.document, 'github');
      return ajv;
    };
    this.strict = make(false);
    this.coercing = make(true);
    const paths = this.document.paths as Record<string, Record<string, Json>>;
    for (const [template, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const parameters = ((operation.parameters ?? []) as Json[]).map((p) => this.deref(p));
        const pathNames: string[] = [];
        const pattern = template.replace(/\{([^}]+)\}|[^{]+/g, (whole, name?: string) => {
          if (!name) return escapeRegExp(whole);
          pathNames.push(name);
          const param = parameters.find((p) => p.name === name && p.in === 'path');
          return param?.['x-multi-segment'] ? '(.+)' : '([^/]+)';
        });
        const body = operation.requestBody as Json | undefined;
        this.operations.push({
          operationId: String(operation.operationId),
          method: method.toUpperCase(),
          template,
          pointer: `#/paths/${escapePointer(template)}/${method}`,
          parameters: parameters as unknown as Parameter[],
          pattern: new RegExp(`^${pattern}$`),
          pathNames,
          bodyRequired: body?.required === true,
        });
      }
    }
    // Most literal characters first, so /commits/{ref}/status never takes /statuses.
    this.operations.sort((a, b) => b.template.length - a.template.length);
  }

  private deref(node: Json): Json {
    const ref = node.$ref;
    if (typeof ref !== 'string') return node;
    let target: unknown = this.document;
    for (const part of ref.slice(2).split('/')) target = (target as Json)[part];
    return this.deref(target as Json);
  }

  private validator(ajv: Ajv, pointer: string): ValidateFunction {
    const key = `${ajv === this.strict}:${pointer}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = ajv.compile({ $ref: `github${pointer}` });
      this.compiled.set(key, fn);
    }
    return fn;
  }

  private paramValidator(operation: Operation, param: Parameter): ValidateFunction {
    const key = `${operation.operationId}:${param.in}:${param.name}`;
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.coercing.compile({ type: 'object', properties: { value: param.schema } });
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /** The documented operation for a method and path, with its decoded path parameters. */
  match(method: string, pathname: string): RouteMatch | undefined {
    for (const operation of this.operations) {
      if (operation.method !== method) continue;
      const found = operation.pattern.exec(pathname);
      if (!found) continue;
      const pathParams: Record<string, string> = {};
      operation.pathNames.forEach((name, i) => {
        pathParams[name] = decodeURIComponent(found[i + 1] ?? '');
      });
      return { operation, pathParams };
    }
    return undefined;
  }

  /** Problems with a request; parameters come back coerced to their schema types. */
  validateRequest(
    match: RouteMatch,
    query: URLSearchParams,
    body: unknown,
  ): { errors: string[]; params: Record<string, unknown> } {
    const errors: string[] = [];
    const params: Record<string, unknown> = {};
    for (const param of match.operation.parameters) {
      if (param.in === 'header') continue;
      const raw = param.in === 'path' ? match.pathParams[param.name] : query.get(param.name);
      if (raw === undefined || raw === null) {
        if (param.required) errors.push(`${param.in} parameter ${param.name} is required`);
        continue;
      }
      const holder = { value: raw as unknown };
      const validate = this.paramValidator(match.operation, param);
      if (!validate(holder)) {
        errors.push(
          `${param.in} parameter ${param.name}: ${this.coercing.errorsText(validate.errors)}`,
        );
      }
      params[param.name] = holder.value;
    }
    const { operation } = match;
    const mediaPointer = `${operation.pointer}/requestBody/content/application~1json/schema`;
    if (body === undefined) {
      if (operation.bodyRequired) errors.push('request body is required');
    } else if (this.resolves(mediaPointer)) {
      const validate = this.validator(this.strict, mediaPointer);
      if (!validate(body)) errors.push(`body: ${this.strict.errorsText(validate.errors)}`);
    }
    return { errors, params };
  }

  /** Problems with a response body: per the documented status, else GitHub's error shape. */
  validateResponse(operation: Operation | undefined, status: number, body: unknown): string[] {
    const documented = operation ? this.responsePointer(operation, status) : undefined;
    let pointer = documented;
    if (pointer === undefined) {
      if (status < 400) {
        return operation ? [`status ${status} is not documented for ${operation.operationId}`] : [];
      }
      pointer = '#/components/schemas/basic-error';
    }
    if (pointer === null) {
      return body === undefined ? [] : [`status ${status} is documented without a body`];
    }
    const validate = this.validator(this.strict, pointer);
    return validate(body) ? [] : [`response ${status}: ${this.strict.errorsText(validate.errors)}`];
  }

  /** JSON pointer of the response schema; null when documented without content. */
  private responsePointer(operation: Operation, status: number): string | null | undefined {
    const responses = (this.resolvePointer(operation.pointer) as Json).responses as Json;
    const response = responses[String(status)] as Json | undefined;
    if (!response) return undefined;
    const resolved = this.deref(response);
    const content = resolved.content as Json | undefined;
    if (!content?.['application/json']) return null;
    const base =
      typeof response.$ref === 'string'
        ? response.$ref
        : `${operation.pointer}/responses/${status}`;
    return `${base}/content/application~1json/schema`;
  }

  private resolvePointer(pointer: string): unknown {
    let node: unknown = this.document;
    for (const raw of pointer.slice(2).split('/')) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Json)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node;
  }

  private resolves(pointer: string): boolean {
    return this.resolvePointer(pointer) !== undefined;
  }
}
