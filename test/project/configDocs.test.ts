import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

type Row = { key: string; type: string; default: string; required: boolean; description: string };
type JsonSchema = Record<string, unknown>;
type Block = { name: string; schema: string; file: string; start: string; end: string };
interface ConfigDocs {
  BLOCKS: Block[];
  cell(text: string): string;
  checkProblems(root?: string): string[];
  renderBlock(block: Block, schema: JsonSchema): string;
  schemaRows(schema: JsonSchema): Row[];
  undescribed(schema: JsonSchema): string[];
}
// A plain .mjs script (it runs without a build); typed here by what the tests use.
const { BLOCKS, cell, checkProblems, renderBlock, schemaRows, undescribed } = (await import(
  pathToFileURL(resolve('scripts/config-docs.mjs')).href
)) as ConfigDocs;

const schemas: [string, JsonSchema][] = ['modelship.schema.json', 'data-contract.schema.json'].map(
  (file) => [file, JSON.parse(readFileSync(`schemas/${file}`, 'utf8')) as JsonSchema],
);

/** Every subschema named as a property, a map's value, an array's items or an anyOf variant. */
function properties(node: unknown, path: string, out: [string, JsonSchema][] = []) {
  if (!node || typeof node !== 'object') return out;
  const schema = node as JsonSchema;
  for (const [key, child] of Object.entries((schema.properties ?? {}) as JsonSchema)) {
    out.push([`${path}.${key}`, child as JsonSchema]);
    properties(child, `${path}.${key}`, out);
  }
  const value = schema.additionalProperties;
  if (value && typeof value === 'object' && (value as JsonSchema).properties) {
    out.push([`${path}.<entry>`, value as JsonSchema]);
    properties(value, `${path}.<entry>`, out);
  }
  if (schema.items) properties(schema.items, `${path}[]`, out);
  for (const variant of (schema.anyOf ?? []) as JsonSchema[]) {
    if (variant.type === 'object' || variant.properties) out.push([`${path}|object`, variant]);
    properties(variant, path, out);
  }
  return out;
}

describe('README configuration and contract reference (scripts/config-docs.mjs)', () => {
  it('is up to date with schemas/ (run npm run docs:config)', () => {
    expect(checkProblems()).toEqual([]);
  });

  it('--check exits 0 on the committed README', () => {
    expect(() =>
      execFileSync(process.execPath, ['scripts/config-docs.mjs', '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('reports a README whose block differs from the schemas, and a key without a description', () => {
    const root = mkdtempSync(join(tmpdir(), 'config-docs-'));
    try {
      cpSync('schemas', join(root, 'schemas'), { recursive: true });
      const readme = readFileSync('docs/configuration.md', 'utf8');
      mkdirSync(join(root, 'docs'));
      writeFileSync(
        join(root, 'docs/configuration.md'),
        readme.replace('| `drift.share` |', '| `drift.shar` |'),
      );
      const schema = JSON.parse(readFileSync('schemas/data-contract.schema.json', 'utf8')) as {
        properties: { rows: { properties: { min: JsonSchema } } };
      };
      delete schema.properties.rows.properties.min.description;
      writeFileSync(join(root, 'schemas/data-contract.schema.json'), JSON.stringify(schema));
      const problems = checkProblems(root);
      expect(problems).toEqual([
        expect.stringContaining('rows.min has no description'),
        expect.stringContaining(
          'docs/configuration.md: the configuration or contract reference is out of date',
        ),
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it.each(schemas)('%s: every property has a description', (_file, schema) => {
    const missing = properties(schema, '')
      .filter(([, child]) => typeof child.description !== 'string' || !child.description.trim())
      .map(([path]) => path);
    expect(missing).toEqual([]);
    expect(undescribed(schema)).toEqual([]);
  });

  it('lists every key of both files with its type, default and requirement', () => {
    const [config, contract] = schemas.map(([, s]) => schemaRows(s));
    const keys = (rows: Row[]) => rows.map((r) => r.key);
    expect(keys(config!)).toEqual(
      expect.arrayContaining([
        'model.name',
        'model.features[].one_hot',
        'model.features[].map',
        'data.eval',
        'train.gpu',
        'metrics.<metric>.max_relative_regression',
        'fairness.thresholds.<metric>.min',
        'drift.method',
        'drift.threshold',
        'drift.share',
        'drift.columns',
        'card.license',
      ]),
    );
    expect(keys(contract!)).toEqual(
      expect.arrayContaining([
        'columns.<column>.type',
        'columns.<column>.mostly',
        'rows.min',
        'rows.max',
        'extra_columns',
      ]),
    );
    const row = (rows: Row[], key: string) => rows.find((r) => r.key === key)!;
    expect(row(config!, 'model.threshold')).toMatchObject({ default: '`0.5`', required: false });
    expect(row(config!, 'model.name')).toMatchObject({ required: true });
    expect(row(config!, 'drift.share').type).toBe('number, > 0, ≤ 1');
    expect(row(contract!, 'columns.<column>.mostly')).toMatchObject({ default: '`1`' });
    expect(row(contract!, 'extra_columns').type).toBe('`error` | `warn` | `ignore`');
  });

  it('escapes | and < in table cells, but not < inside code spans', () => {
    expect(cell('a | b <c> `<d>|`')).toBe('a \\| b &lt;c&gt; `<d>\\|`');
    const block = renderBlock(BLOCKS[1]!, schemas[1]![1]);
    const table = block.split('\n').filter((l) => l.startsWith('| `'));
    expect(table.length).toBeGreaterThan(10);
    for (const line of table) {
      // 5 cells: every other | is escaped.
      expect(line.split(/(?<!\\)\|/).length - 2).toBe(5);
    }
  });
});
