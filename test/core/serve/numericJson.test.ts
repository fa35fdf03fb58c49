import { describe, expect, it } from 'vitest';
import { jsonDepth } from '../../../src/core/serve/httpBody.js';
import { NumericData, parseInferJson } from '../../../src/core/serve/numericJson.js';
import { pick, randomInt, seededRandom } from '../../support/prng.js';
import { sameValue } from '../../support/sameValue.js';

/** The parsed value with every NumericData turned back into the arrays JSON.parse makes. */
function asArrays(value: unknown): unknown {
  if (value instanceof NumericData) return value.toArrays();
  if (Array.isArray(value)) return value.map(asArrays);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asArrays(v)]));
  }
  return value;
}

const SPACE = ['', ' ', '\n', '\t', '\r\n  '];

/** JSON number text of every form: integers, fractions, exponents, long mantissas, -0, overflow. */
function numberText(random: () => number): string {
  const digits = (n: number) =>
    Array.from({ length: n }, (_, i) => String(randomInt(random, i === 0 ? 1 : 0, 9))).join('');
  const sign = random() < 0.3 ? '-' : '';
  const kind = randomInt(random, 0, 9);
  if (kind === 0) return `${sign}0`;
  if (kind === 1) return `${sign}${digits(randomInt(random, 1, 25))}`;
  if (kind === 2)
    return `${sign}0.${'0'.repeat(randomInt(random, 0, 8))}${digits(randomInt(random, 1, 20))}`;
  if (kind === 3) {
    const e = pick(random, ['e', 'E']) + pick(random, ['', '+', '-']);
    return `${sign}${digits(randomInt(random, 1, 18))}.${digits(randomInt(random, 1, 6))}${e}${randomInt(random, 0, 400)}`;
  }
  if (kind === 4)
    return `${sign}${digits(1)}e${pick(random, ['-', '+', ''])}${randomInt(random, 0, 30)}`;
  if (kind === 5) return String(random() * 10 ** randomInt(random, -10, 10));
  if (kind === 6)
    return `${sign}${digits(randomInt(random, 16, 40))}.${digits(randomInt(random, 1, 30))}`;
  return String(Math.fround(random() * 200 - 100));
}

/** A numeric array of the given shape (flat, or nested row-major), as JSON text. */
function arrayText(random: () => number, dims: number[], nested: boolean): string {
  const s = () => pick(random, SPACE);
  if (!nested) {
    const n = dims.reduce((a, b) => a * b, 1);
    return `[${s()}${Array.from({ length: n }, () => numberText(random)).join(`${s()},${s()}`)}${s()}]`;
  }
  const level = (d: number): string =>
    d === dims.length - 1
      ? `[${s()}${Array.from({ length: dims[d]! }, () => numberText(random)).join(`,${s()}`)}${s()}]`
      : `[${s()}${Array.from({ length: dims[d]! }, () => level(d + 1)).join(`${s()},`)}]`;
  return level(0);
}

function inferBody(random: () => number): string {
  const inputs = Array.from({ length: randomInt(random, 1, 3) }, (_, i) => {
    const dims = Array.from({ length: randomInt(random, 1, 3) }, () => randomInt(random, 1, 5));
    const fields = [
      `"name":"x${i}"`,
      `"shape":[${dims.join(',')}]`,
      `"datatype":"FP32"`,
      `"data":${pick(random, SPACE)}${arrayText(random, dims, random() < 0.5)}`,
    ];
    if (random() < 0.2) fields.push(`"parameters":{"data":[1,2],"é☃":"[0, 1]"}`);
    // The order of keys varies; `data` may come first or last.
    fields.sort(() => random() - 0.5);
    return `{${fields.join(`,${pick(random, SPACE)}`)}}`;
  });
  const top = [`"inputs":[${inputs.join(',')}]`];
  if (random() < 0.5) top.push(`"id":"${pick(random, ['a', 'data:[1]', 'é', '[1,2]'])}"`);
  if (random() < 0.3) top.push(`"outputs":[{"name":"y"}]`);
  top.sort(() => random() - 0.5);
  return `${pick(random, SPACE)}{${top.join(',')}}${pick(random, SPACE)}`;
}

/** A valid body broken (or not) by one edit at a random place. */
function mutate(random: () => number, text: string): string {
  const at = randomInt(random, 0, text.length - 1);
  const piece = pick(random, [
    '',
    ',',
    '-',
    '.',
    'e',
    '+',
    '0',
    '00',
    '[',
    ']',
    '{',
    '}',
    '"',
    ':',
    ' ',
    'x',
    '1.',
    '.5',
    'NaN',
    'Infinity',
    '\u0001',
    '\\',
    'é',
  ]);
  const kind = randomInt(random, 0, 2);
  if (kind === 0) return text.slice(0, at) + piece + text.slice(at);
  if (kind === 1) return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + piece + text.slice(at + 1);
}

/** What JSON.parse makes of a text: its value, or its error message. */
function jsonParse(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

describe('parseInferJson against JSON.parse', () => {
  it('reads 3,000 seeded valid infer bodies to the same values, numbers exact', () => {
    const random = seededRandom(19);
    let fast = 0;
    for (let k = 0; k < 3_000; k++) {
      const text = inferBody(random);
      const expected = JSON.parse(text) as unknown;
      const read = parseInferJson(Buffer.from(text));
      if (read === undefined) continue;
      fast++;
      expect(sameValue(asArrays(read), expected), text).toBe(true);
    }
    // Bodies without a backslash take the fast path, but where one number in eight has 16+ digits.
    expect(fast).toBeGreaterThan(2_700);
  });

  it('reads nothing JSON.parse refuses and nothing differently: 20,000 seeded one-edit mutants', () => {
    const random = seededRandom(3);
    let refused = 0;
    let read = 0;
    for (let k = 0; k < 20_000; k++) {
      const text = mutate(random, inferBody(random));
      const expected = jsonParse(text);
      const value = parseInferJson(Buffer.from(text));
      if (expected.error !== undefined) {
        refused++;
        // Undefined sends the body to JSON.parse, whose message the 400 names.
        expect(value, text).toBeUndefined();
      } else if (value !== undefined) {
        read++;
        expect(sameValue(asArrays(value), expected.value), text).toBe(true);
      }
    }
    expect(refused).toBeGreaterThan(5_000);
    expect(read).toBeGreaterThan(5_000);
  });

  it('reads no body nested deeper than the limit, so its callers skip the depth scan', () => {
    const random = seededRandom(29);
    let limited = 0;
    for (let k = 0; k < 3_000; k++) {
      const body = Buffer.from(inferBody(random));
      const limit = randomInt(random, 2, 6);
      const read = parseInferJson(body, limit);
      if (read !== undefined) expect(jsonDepth(body)).toBeLessThanOrEqual(limit);
      else if (parseInferJson(body) !== undefined) {
        limited++;
        expect(jsonDepth(body)).toBeGreaterThan(limit);
      }
    }
    expect(limited).toBeGreaterThan(500);
  });

  it('leaves to JSON.parse what it cannot place exactly', () => {
    const plain = (data: string, rest = '') =>
      `{"inputs":[{"name":"x","shape":[2],"datatype":"FP32","data":${data}}${rest}]}`;
    for (const text of [
      plain('[1,2]').replace('"x"', '"\\u0078"'), // a backslash anywhere
      plain('[]'), // empty
      plain('[[1,2],[3]]'), // ragged
      plain('[[1,2],3]'), // arrays and numbers mixed
      plain('[1,"2"]'), // a string
      plain('[1,null]'),
      `{"inputs":["x",{"name":"x","shape":[2],"datatype":"FP32","data":[1,2]}]}`,
      `{"inputs":[1,{"data":[1,2]}]}`,
      `{"inputs":[{"data":[1,2],"data":[3,4]}]}`,
      `{"inputs":[{"data":[1,2]}],"inputs":[{"data":0}]}`,
      `[{"inputs":[{"data":[1,2]}]}]`,
      `{"inputs":[{"data":[1,2]}]} x`,
    ]) {
      expect(parseInferJson(Buffer.from(text)), text).toBeUndefined();
    }
  });

  it('keeps data outside inputs[i].data and inside strings as JSON.parse reads it', () => {
    const text =
      '{"parameters":{"data":[5,6]},"id":"data: [1]","inputs":[{"name":"a","parameters":{"data":[7]},' +
      '"data":[[1.5,-0],[2e-3,1e400]]},{"name":"b","data":[3]}]}';
    const read = parseInferJson(Buffer.from(text)) as {
      parameters: { data: unknown };
      inputs: { data: unknown; parameters?: { data: unknown } }[];
    };
    expect(read.parameters.data).toEqual([5, 6]);
    expect(read.inputs[0]!.parameters!.data).toEqual([7]);
    const a = read.inputs[0]!.data as NumericData;
    expect(a).toBeInstanceOf(NumericData);
    expect(a.lengths).toEqual([2, 2]);
    expect(Array.from(a.values)).toEqual([1.5, -0, 0.002, Infinity]);
    expect(Object.is(a.values[1], -0)).toBe(true);
    expect((read.inputs[1]!.data as NumericData).toArrays()).toEqual([3]);
  });
});
