// The /predict scanner against JSON.parse: on every body it reads, each column holds exactly what
// `rows.map((row) => row[name])` of JSON.parse's rows holds (numbers to the bit, -0 included),
// and the rest of the body is JSON.parse's; it reads no body JSON.parse refuses, and none nested
// deeper than the limit.
import { describe, expect, it } from 'vitest';
import { jsonDepth } from '../../../src/core/serve/httpBody.js';
import { parsePredictJson } from '../../../src/core/serve/predictJson.js';
import { pick, randomInt, seededRandom } from '../../support/prng.js';
import { sameValue } from '../../support/sameValue.js';

const SPACE = ['', ' ', '\n', '\t', '\r\n  '];
const KEYS = ['age', 'income', 'city', 'é☃', 'a b', 'rows', 'id', '__proto__', 'x'];
const STRINGS = ['', 'yes', 'no', 'New York', 'é', '☃ snow', '[1,2]', '{"a":1}', '0', 'null'];

/** A JSON value a row may hold: mostly numbers and strings, some literals and nested values. */
function valueText(random: () => number): string {
  const kind = randomInt(random, 0, 11);
  if (kind <= 3) return JSON.stringify(pick(random, STRINGS));
  if (kind === 4) return pick(random, ['true', 'false', 'null']);
  if (kind === 5) return pick(random, ['[1,2]', '{"a":1}', '[]', '{}']);
  if (kind === 6) return pick(random, ['-0', '0', '1e400', '-1e-400', '123456789012345678901']);
  if (kind === 7) return String(Math.fround(random() * 200 - 100));
  if (kind === 8)
    return `${randomInt(random, -5, 5)}.${randomInt(random, 0, 999)}e${randomInt(random, -30, 30)}`;
  return String(randomInt(random, -100_000, 100_000));
}

function rowText(random: () => number, keys: string[]): string {
  const s = () => pick(random, SPACE);
  const fields = keys.map(
    (k) => `${s()}${JSON.stringify(k)}${s()}:${s()}${valueText(random)}${s()}`,
  );
  return `{${fields.join(',')}}`;
}

/** A /predict body: rows mostly in one key order, some reordered, missing or repeating keys. */
function predictBody(random: () => number): string {
  const base = Array.from({ length: randomInt(random, 1, 5) }, () => pick(random, KEYS));
  const rows = Array.from({ length: randomInt(random, 0, 6) }, () => {
    const keys = [...base];
    if (random() < 0.2) keys.sort(() => random() - 0.5);
    if (random() < 0.15) keys.pop();
    if (random() < 0.1) keys.push(pick(random, KEYS));
    return rowText(random, keys);
  });
  const top = [`"rows":${pick(random, SPACE)}[${rows.join(`,${pick(random, SPACE)}`)}]`];
  if (random() < 0.5) top.push(`"id":${JSON.stringify(pick(random, ['a', 'rows', 'é', '[1]']))}`);
  if (random() < 0.3) top.push(`"parameters":{"rows":[1,{"a":[2]}],"b":"}"}`);
  if (random() < 0.1) top.push(`"id":5`);
  top.sort(() => random() - 0.5);
  return `${pick(random, SPACE)}{${top.join(',')}}${pick(random, SPACE)}`;
}

/** A valid body broken (or not) by one edit at a random place. */
function mutate(random: () => number, text: string): string {
  const at = randomInt(random, 0, text.length - 1);
  const piece = pick(random, [
    ...['', ',', '-', '.', 'e', '0', '00', '[', ']', '{', '}', '"', ':', ' ', 'x', '1.', 'n'],
    ...['tru', 'nul', 'NaN', '\u0001', '\t', '\\', 'é', '\uFEFF'],
  ]);
  const kind = randomInt(random, 0, 2);
  if (kind === 0) return text.slice(0, at) + piece + text.slice(at);
  if (kind === 1) return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + piece + text.slice(at + 1);
}

/** Checks a scanned body against JSON.parse's value of the same text. */
function expectSame(text: string, bytes: Buffer = Buffer.from(text)): boolean {
  const scanned = parsePredictJson(bytes, 64);
  if (scanned === undefined) return false;
  const parsed = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  const rows = parsed.rows as Record<string, unknown>[];
  expect(Array.isArray(rows), text).toBe(true);
  expect(scanned.rows.length, text).toBe(rows.length);
  for (const row of rows) expect(typeof row === 'object' && !Array.isArray(row), text).toBe(true);
  const names = new Set([...KEYS, 'missing', 'toString', 'constructor', 'hasOwnProperty']);
  for (const row of rows) for (const key of Object.keys(row)) names.add(key);
  for (const name of names) {
    const expected = rows.map((row) => row[name]);
    const got = Array.from(scanned.rows.column(name));
    expect(sameValue(got, expected), `${text}\ncolumn ${name}`).toBe(true);
  }
  const { rows: _rows, ...rest } = parsed;
  expect(sameValue(scanned.body, rest), text).toBe(true);
  return true;
}

describe('parsePredictJson against JSON.parse', () => {
  it('reads 5,000 seeded valid /predict bodies to the same columns and rest', () => {
    const random = seededRandom(23);
    let fast = 0;
    for (let k = 0; k < 5_000; k++) if (expectSame(predictBody(random))) fast++;
    // Rows holding an array or object (one value in twelve) are left to JSON.parse.
    expect(fast).toBeGreaterThan(1_500);
  });

  it('reads nothing JSON.parse refuses and nothing differently: 30,000 seeded one-edit mutants', () => {
    const random = seededRandom(5);
    let refused = 0;
    let read = 0;
    for (let k = 0; k < 30_000; k++) {
      const text = mutate(random, predictBody(random));
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      if (!valid) {
        refused++;
        expect(parsePredictJson(Buffer.from(text), 64), text).toBeUndefined();
      } else if (expectSame(text)) read++;
    }
    expect(refused).toBeGreaterThan(8_000);
    expect(read).toBeGreaterThan(4_000);
  });

  it('decodes invalid UTF-8 in keys and values as JSON.parse of the decoded body does', () => {
    const random = seededRandom(7);
    const odd = [0xff, 0xfe, 0xc3, 0xe2, 0x98, 0xf0, 0x9f, 0x80];
    let read = 0;
    for (let k = 0; k < 3_000; k++) {
      const text = Buffer.from(predictBody(random));
      // A byte of a broken sequence just inside a string: after an opening or before a closing quote.
      const quotes = [...text.keys()].filter((i) => text[i] === 0x22);
      const at = pick(random, quotes) + (random() < 0.5 ? 1 : 0);
      const bytes = Buffer.concat([
        text.subarray(0, at),
        Buffer.from([pick(random, odd)]),
        text.subarray(at),
      ]);
      let valid = true;
      try {
        JSON.parse(bytes.toString('utf8'));
      } catch {
        valid = false;
      }
      if (!valid) expect(parsePredictJson(bytes, 64)).toBeUndefined();
      else if (expectSame(bytes.toString('latin1'), bytes)) read++;
    }
    expect(read).toBeGreaterThan(500);
  });

  it('reads no body nested deeper than the limit', () => {
    const random = seededRandom(11);
    for (let k = 0; k < 3_000; k++) {
      const text = predictBody(random);
      const body = Buffer.from(text);
      const limit = randomInt(random, 1, 5);
      const scanned = parsePredictJson(body, limit);
      if (scanned !== undefined) expect(jsonDepth(body), text).toBeLessThanOrEqual(limit);
      else if (jsonDepth(body) <= limit && limit >= 3) {
        // Within the limit it reads what it reads without one.
        expect(parsePredictJson(body, 64), text).toBeUndefined();
      }
    }
  });

  it('leaves to JSON.parse what it does not read itself', () => {
    for (const text of [
      '{"rows":[{"a":"\\u0041"}]}', // a backslash anywhere
      '{"rows":[{"a":1}],"rows":[{"a":2}]}', // repeated rows: JSON.parse keeps the last
      '{"rows":[[1,2]]}', // a row that is not an object
      '{"rows":[{"a":[1]}]}', // a value that is an array
      '{"rows":[{"a":{"b":1}}]}',
      '{"rows":{"a":1}}', // rows not an array
      '{"id":"x"}', // no rows
      '[{"rows":[]}]',
      '{"rows":[{"a":1}]} x',
      '{"rows":[{"a":"\u0001"}]}',
    ]) {
      expect(parsePredictJson(Buffer.from(text), 64), text).toBeUndefined();
    }
  });

  it('keeps a category read once per column and the key order of the row before', () => {
    const text = JSON.stringify({
      id: 'r1',
      rows: [{ city: 'Paris', n: 1 }, { n: 2, city: 'Paris', extra: null }, { city: 'Oslo' }, {}],
    });
    const scanned = parsePredictJson(Buffer.from(text), 64)!;
    expect(scanned.body).toEqual({ id: 'r1' });
    expect(scanned.rows.length).toBe(4);
    expect(Array.from(scanned.rows.column('city'))).toEqual(['Paris', 'Paris', 'Oslo', undefined]);
    expect(Array.from(scanned.rows.column('n'))).toEqual([1, 2, undefined, undefined]);
    expect(Array.from(scanned.rows.column('extra'))).toEqual([
      undefined,
      null,
      undefined,
      undefined,
    ]);
    // What row[name] gives for a name only Object.prototype has.
    expect(scanned.rows.column('toString')[3]).toBe(Object.prototype.toString);
  });
});
