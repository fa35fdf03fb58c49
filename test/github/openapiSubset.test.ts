import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routes } from '../support/github/fakeRoutes.js';
import { OpenApiValidator } from '../support/github/openapiValidator.js';

describe('the committed OpenAPI subset', () => {
  const validator = new OpenApiValidator();

  it('documents every operation the fake serves, and the fake serves every one', () => {
    const documented = validator.operations.map((o) => o.operationId).sort();
    expect(Object.keys(routes).sort()).toEqual(documented);
  });

  it('holds every component its operations reference', () => {
    const text = readFileSync(
      new URL('../fixtures/openapi/github-subset.json', import.meta.url),
      'utf8',
    );
    const subset = JSON.parse(text) as { components: Record<string, Record<string, unknown>> };
    const refs = [...text.matchAll(/"\$ref": "#\/components\/([^/]+)\/([^"]+)"/g)];
    expect(refs.length).toBeGreaterThan(50);
    for (const [, kind = '', name = ''] of refs) {
      expect(subset.components[kind]?.[name], `${kind}/${name}`).toBeDefined();
    }
  });

  it('routes the paths the adapters call to their operations', () => {
    const cases: [string, string, string][] = [
      ['GET', '/repos/o/r/commits/abc/status', 'repos/get-combined-status-for-ref'],
      ['GET', '/repos/o/r/commits/abc/statuses', 'repos/list-commit-statuses-for-ref'],
      ['GET', '/repos/o/r/commits/abc/pulls', 'repos/list-pull-requests-associated-with-commit'],
      ['PATCH', '/repos/o/r/issues/comments/5', 'issues/update-comment'],
      ['GET', '/repos/o/r/issues/5/comments', 'issues/list-comments'],
      ['GET', '/repos/o/r/releases/tags/m-v1.0.0', 'repos/get-release-by-tag'],
    ];
    for (const [method, path, operationId] of cases) {
      expect(validator.match(method, path)?.operation.operationId).toBe(operationId);
    }
  });
});
