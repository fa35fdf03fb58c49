import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ModelshipError, messageOf } from '../errors.js';

type Path = readonly PropertyKey[];

/** Reads a YAML file and validates it with a zod schema; errors name file:line:col and key path. */
export function loadYamlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
): z.output<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelshipError(`${file}: ${what} not found; check the path.`);
    throw new ModelshipError(`${file}: cannot read ${what} (${messageOf(error)}).`);
  }
  return parseYamlText(text, file, schema);
}

/** Parses YAML text and validates it; `file` is only used to name the source in errors. */
export function parseYamlText<S extends z.ZodType>(
  text: string,
  file: string,
  schema: S,
): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lineCounter.linePos(yamlError.pos[0]);
    const reason = yamlError.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
    throw new ModelshipError(`${file}:${pos.line}:${pos.col} invalid YAML: ${reason}.`);
  }
  const parsed: unknown = doc.toJS();
  const data = parsed === null ? undefined : parsed;
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    describeIssue(issue, doc, data, lineCounter, file),
  );
  const shown = problems.slice(0, 3).join('; ');
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
  throw new ModelshipError(`${shown}${more}`);
}

function describeIssue(
  issue: z.core.$ZodIssue,
  doc: Document,
  data: unknown,
  lines: LineCounter,
  file: string,
): string {
  const path = issue.path;
  const offset = locate(doc, path, issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined);
  const pos = lines.linePos(offset);
  const where = path.length === 0 ? '(top level)' : path.map(String).join('.');
  const keyPath =
    issue.code === 'unrecognized_keys' ? [...path, issue.keys[0]].map(String).join('.') : where;
  return `${file}:${pos.line}:${pos.col} ${keyPath}: ${explain(issue, valueAt(data, path))}`;
}

function explain(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required (expected ${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${describeValue(value)}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`;
    case 'invalid_key':
      return `invalid key: ${issue.issues[0]?.message ?? issue.message}`;
    default:
      return value === undefined ? issue.message : `${issue.message}, got ${describeValue(value)}`;
  }
}

function article(expected: string): string {
  const words: Record<string, string> = {
    number: 'a number',
    string: 'a string',
    boolean: 'true or false',
    object: 'a mapping',
    array: 'a list',
    int: 'an integer',
    record: 'a mapping',
  };
  return words[expected] ?? expected;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function valueAt(data: unknown, path: Path): unknown {
  let current = data;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Offset of the deepest YAML node on the path (the key itself for an unknown key). */
function locate(doc: Document, path: Path, unknownKey?: PropertyKey): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const key of path) {
    if (!isMap(node) && !(node && typeof node === 'object' && 'items' in node)) break;
    const items = (node as { items: unknown[] }).items;
    const next = isMap(node)
      ? items.find(
          (pair) => isPair(pair) && isScalar(pair.key) && String(pair.key.value) === String(key),
        )
      : items[Number(key)];
    if (next === undefined) break;
    if (isPair(next)) {
      offset = next.value ? rangeStart(next.value) : rangeStart(next.key);
      node = next.value;
    } else {
      offset = rangeStart(next);
      node = next;
    }
  }
  if (unknownKey !== undefined && isMap(node)) {
    const pair = node.items.find(
      (p) => isScalar(p.key) && String(p.key.value) === String(unknownKey),
    );
    if (pair) offset = rangeStart(pair.key);
  }
  return offset;
}

function rangeStart(node: unknown): number {
  const range = (node as { range?: [number, number, number] } | null)?.range;
  return range ? range[0] : 0;
}
