import { readFileSync, statSync } from 'node:fs';
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
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
    // Reading a FIFO or a device would block or never end: only a regular file is read.
    if (!statSync(file).isFile())
      throw new ModelshipError(
        `${file}: the ${what} is not a regular file (a directory, named pipe or device); name the YAML file itself.`,
      );
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ModelshipError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ModelshipError(`${file}: ${what} not found; check the path.`);
    if (code === 'ELOOP')
      throw new ModelshipError(
        `${file}: the ${what} is a symbolic link loop; point the link at the file.`,
      );
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
  refuseUnsupported(doc, lineCounter, file);
  let parsed: unknown;
  try {
    parsed = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    throw new ModelshipError(
      /alias/i.test(messageOf(error))
        ? `${file}: invalid YAML: its aliases (*name) expand too far (more than ${MAX_ALIAS_COUNT} uses of an anchor's contents); write the values out instead of nesting aliases.`
        : `${file}: invalid YAML: ${messageOf(error).split('\n')[0]}.`,
    );
  }
  const data = parsed === null ? undefined : parsed;
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues
    .flatMap(unionBranch)
    .map((issue) => describeIssue(issue, doc, data, lineCounter, file));
  const shown = problems.slice(0, 3).join('; ');
  const more = problems.length > 3 ? `; and ${problems.length - 3} more` : '';
  throw new ModelshipError(`${shown}${more}`);
}

/** Aliases may expand to at most this many copies of anchored nodes (billion laughs). */
const MAX_ALIAS_COUNT = 100;

/** Tags that only restate what the plain value already is. */
const PLAIN_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`),
);

/**
 * Refuses what a config or contract has no use for and a reader may take differently: merge keys
 * (`<<`, not part of YAML 1.2) and tags that make other values than plain ones (`!!binary`,
 * `!!set`, custom `!tags`).
 */
function refuseUnsupported(doc: Document, lines: LineCounter, file: string): void {
  const at = (node: unknown) => {
    const pos = lines.linePos(rangeStart(node));
    return `${file}:${pos.line}:${pos.col}`;
  };
  visit(doc, {
    Pair(_, pair) {
      if (pair.key !== null && !isScalar(pair.key))
        throw new ModelshipError(
          `${at(pair.key)} invalid YAML: a key must be a plain name, not a list or mapping (? [..]); write the key as text.`,
        );
      if (isScalar(pair.key) && pair.key.value === '<<')
        throw new ModelshipError(
          `${at(pair.key)} invalid YAML: merge keys (<<) are not supported; write the keys out in this mapping.`,
        );
    },
    Node(_, node) {
      if (node.tag !== undefined && !PLAIN_TAGS.has(node.tag))
        throw new ModelshipError(
          `${at(node)} invalid YAML: the tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not supported; write a plain value without a tag.`,
        );
    },
  });
}

/**
 * A union (a feature as a name or a mapping) says only "Invalid input": when one branch matched
 * the value's shape and failed deeper, that branch's issues say what is wrong, and where.
 */
function unionBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const deeper = issue.errors.filter((branch) =>
    branch.some((inner) => inner.path.length > 0 || inner.code !== 'invalid_type'),
  );
  if (deeper.length !== 1) return [issue];
  return deeper[0]!.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
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
  // YAML reads -1e400 and .inf as Infinity and .nan as NaN: no rule takes them.
  if (typeof value === 'number' && !Number.isFinite(value))
    return `is not a finite number (got ${describeValue(value)}); write a number such as 0.5`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `is required (expected ${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${describeValue(value)}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      if (value === undefined)
        return `is required (expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
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
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value))
    return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
  if (value instanceof Uint8Array) return 'binary data';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
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
