#!/usr/bin/env node
// The README's reference of modelship.yml and schema.yml, generated from the JSON Schemas in
// schemas/ (themselves generated from the zod validators by `npm run schemas`), so that the docs,
// the editors' completion and the validators cannot disagree: `node scripts/config-docs.mjs`
// rewrites the blocks between the markers in docs/configuration.md; `--check` changes nothing and fails when
// a block is out of date or a key of either schema has no description.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The page holding the configuration and contract references. */
export const DOC = 'docs/configuration.md';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The README blocks: which schema each renders, and between which markers. */
export const BLOCKS = [
  {
    name: 'config',
    schema: 'modelship.schema.json',
    file: 'modelship.yml',
    start: '<!-- config:start -->',
    end: '<!-- config:end -->',
  },
  {
    name: 'contract',
    schema: 'data-contract.schema.json',
    file: 'schema.yml',
    start: '<!-- contract:start -->',
    end: '<!-- contract:end -->',
  },
];

/** How a map's key reads in a key path, by the map's own path; `<name>` where not listed. */
const MAP_KEYS = {
  metrics: 'metric',
  'fairness.thresholds': 'metric',
  columns: 'column',
};

const mapKey = (path) => `<${MAP_KEYS[path] ?? 'name'}>`;

/** Text for a table cell: one line, `|` escaped, `<` and `>` outside code spans as entities. */
export function cell(text) {
  return String(text)
    .replace(/\s*\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('')
    .replace(/\|/g, '\\|');
}

/** A code span that survives backticks in its text. */
const code = (text) => (String(text).includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);

/** A value as YAML would read it: scalars bare, objects and arrays as JSON. */
function literal(value) {
  if (value === null || typeof value !== 'object') return String(value);
  return JSON.stringify(value);
}

function typeNames(schema) {
  if (schema.enum) return schema.enum.map((v) => code(literal(v))).join(' | ');
  if ('const' in schema) return code(literal(schema.const));
  if (schema.anyOf) return schema.anyOf.map(typeText).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  return types.join(' | ') || 'any';
}

function bounds(schema) {
  const out = [];
  if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}`);
  // zod writes the safe-integer range into every .int(): no news to a reader.
  if (schema.minimum !== undefined && schema.minimum !== -Number.MAX_SAFE_INTEGER)
    out.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined && schema.maximum !== Number.MAX_SAFE_INTEGER)
    out.push(`≤ ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) out.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minItems !== undefined && schema.minItems > 0)
    out.push(`≥ ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
  if (schema.pattern !== undefined) out.push(`matches ${code(schema.pattern)}`);
  return out;
}

/** The type column: `number, ≥ 0, ≤ 1`, `array of string`, `map of string → number`, … */
export function typeText(schema, placeholder = '<name>') {
  let text;
  if (schema.type === 'array' && schema.items) {
    const items = schema.items;
    const simple = !items.properties && !items.anyOf && !items.enum;
    text = simple ? `array of ${typeNames(items)}` : 'array';
  } else if (schema.type === 'object' && !schema.properties && schema.additionalProperties) {
    const value = schema.additionalProperties;
    const keys = value.properties ? code(placeholder) : 'string';
    text = value.properties ? `map of ${keys} → object` : `map of ${keys} → ${typeNames(value)}`;
  } else {
    text = typeNames(schema);
  }
  return [text, ...bounds(schema)].join(', ');
}

function defaultText(schema) {
  if (schema.default === undefined) return '';
  const value = schema.default;
  if (value !== null && typeof value === 'object' && Object.keys(value).length === 0) return '';
  return code(literal(value));
}

/**
 * Every key of a JSON Schema, depth first in schema order, as table rows: key path (`a.b`, `a[]`
 * for array items, `a.<metric>` for a map's entries), type, default, required, description.
 */
export function schemaRows(schema) {
  const rows = [];
  const visit = (node, path, required) => {
    if (path) {
      rows.push({
        key: path,
        type: typeText(node, mapKey(path)),
        default: defaultText(node),
        required,
        description: node.description ?? '',
      });
    }
    walkChildren(node, path);
  };
  const walkChildren = (node, path) => {
    const need = new Set(node.required ?? []);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      visit(child, path ? `${path}.${key}` : key, need.has(key));
    }
    const value = node.additionalProperties;
    if (value && typeof value === 'object' && value.properties) {
      const placeholder = mapKey(path);
      const row = `${path}.${placeholder}`;
      const names = node.propertyNames?.enum;
      const suffix = names ? ` ${code(placeholder)} is one of ${names.map(code).join(', ')}.` : '';
      rows.push({
        key: row,
        type: typeText(value),
        default: defaultText(value),
        required: false,
        description: `${value.description ?? ''}${suffix}`.trim(),
      });
      walkChildren(value, row);
    }
    const items = node.items;
    if (items && typeof items === 'object') {
      if (items.anyOf) {
        for (const variant of items.anyOf) visit(variant, `${path}[]`, false);
      } else if (items.properties) {
        walkChildren(items, `${path}[]`);
      }
    }
  };
  visit(schema, '', true);
  return rows;
}

/** Keys (properties, and maps' entries) without a description, as key paths. */
export function undescribed(schema) {
  return schemaRows(schema)
    .filter((r) => !r.description.trim())
    .map((r) => r.key);
}

/** The generated markdown of one block, markers included. */
export function renderBlock(block, schema) {
  const lines = [
    block.start,
    `<!-- Generated by \`npm run docs:config\` from schemas/${block.schema}: edit the zod schemas in src/core/config/, then run \`npm run schemas\`. -->`,
    '',
    `Every key of \`${block.file}\`, from [\`schemas/${block.schema}\`](../schemas/${block.schema}):`,
    '',
    '| key | type | default | required | description |',
    '|---|---|---|---|---|',
    ...schemaRows(schema).map(
      (r) =>
        `| ${cell(code(r.key))} | ${cell(r.type)} | ${cell(r.default)} | ${r.required ? 'yes' : ''} | ${cell(r.description)} |`,
    ),
    '',
    block.end,
  ];
  return lines.join('\n');
}

/** README text with one block between its markers replaced. */
export function replaceBlock(readme, block, text) {
  const start = readme.indexOf(block.start);
  const end = readme.indexOf(block.end);
  if (start < 0 || end < start) {
    throw new Error(`${DOC} has no ${block.start} … ${block.end} block to write into.`);
  }
  return readme.slice(0, start) + text + readme.slice(end + block.end.length);
}

/** The README with every block rendered from the schemas under `root`. */
export function renderReadme(readme, root = ROOT) {
  let text = readme;
  for (const block of BLOCKS) {
    const schema = JSON.parse(readFileSync(join(root, 'schemas', block.schema), 'utf8'));
    text = replaceBlock(text, block, renderBlock(block, schema));
  }
  return text;
}

/** Problems `--check` reports: keys without a description, and an out-of-date README. */
export function checkProblems(root = ROOT) {
  const problems = [];
  for (const block of BLOCKS) {
    const schema = JSON.parse(readFileSync(join(root, 'schemas', block.schema), 'utf8'));
    for (const key of undescribed(schema))
      problems.push(`schemas/${block.schema}: ${key} has no description; add .describe() to it.`);
  }
  const readme = readFileSync(join(root, DOC), 'utf8');
  if (renderReadme(readme, root) !== readme)
    problems.push(
      `${DOC}: the configuration or contract reference is out of date; run \`npm run docs:config\`.`,
    );
  return problems;
}

function main(argv) {
  const readmePath = join(ROOT, DOC);
  if (argv.includes('--check')) {
    const problems = checkProblems(ROOT);
    for (const problem of problems) console.error(problem);
    return problems.length ? 1 : 0;
  }
  const current = readFileSync(readmePath, 'utf8');
  const updated = renderReadme(current, ROOT);
  if (updated !== current) {
    writeFileSync(readmePath, updated);
    console.log(`${DOC}: configuration and contract reference updated.`);
  }
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
