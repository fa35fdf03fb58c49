/**
 * The `data` of an OIP input as it arrived: JSON numbers in a flat or rectangular nested array,
 * read straight from the body's bytes into a Float64Array (no JS array or number per value).
 * `lengths` holds the length of the arrays at each level, outermost first.
 */
export class NumericData {
  constructor(
    readonly values: Float64Array,
    readonly lengths: readonly number[],
  ) {}

  /** The nested arrays JSON.parse would have made, for the checks that name a bad element. */
  toArrays(): unknown[] {
    let at = 0;
    const level = (depth: number): unknown[] => {
      const length = this.lengths[depth]!;
      if (depth === this.lengths.length - 1) {
        const out = Array.from(this.values.subarray(at, at + length));
        at += length;
        return out;
      }
      return Array.from({ length }, () => level(depth + 1));
    };
    return level(0);
  }
}

export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
export const ZERO = 0x30;
export const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** Powers of ten a double holds exactly: one multiply or divide by them rounds correctly. */
const POW10 = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

export function skipSpace(body: Buffer, pos: number): number {
  while (isSpace(body[pos])) pos++;
  return pos;
}

/** Values read so far, in a buffer that doubles as it fills. */
export class Values {
  array: Float64Array;
  length = 0;
  /** How many were read from their text by Number() (more than 15 digits, or a far exponent). */
  slow = 0;
  constructor(capacity = 1024) {
    this.array = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.array.length) {
      const grown = new Float64Array(this.array.length * 2);
      grown.set(this.array);
      this.array = grown;
    }
    this.array[this.length++] = value;
  }
}

/**
 * Reads the JSON number at `pos` into `out`; the position after it, or -1 when the text there is
 * not a JSON number. Up to 15 significant digits and a power of ten up to 22 the value is one
 * correctly rounded operation (Clinger's fast path), as JSON.parse's; beyond, Number() of the
 * text, which reads a JSON number exactly as JSON.parse does.
 */
export function readNumber(body: Buffer, pos: number, out: Values): number {
  const start = pos;
  let c = body[pos];
  const negative = c === MINUS;
  if (negative) c = body[++pos];
  if (c === undefined || c < ZERO || c > NINE) return -1;
  let mantissa = 0;
  let digits = 0;
  if (c === ZERO) c = body[++pos];
  else {
    while (c !== undefined && c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      c = body[++pos];
    }
  }
  let exponent = 0;
  if (c === DOT) {
    c = body[++pos];
    if (c === undefined || c < ZERO || c > NINE) return -1;
    while (c !== undefined && c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      if (mantissa !== 0) digits++;
      exponent--;
      c = body[++pos];
    }
  }
  let exact = digits <= 15;
  if (c === LOWER_E || c === UPPER_E) {
    c = body[++pos];
    let sign = 1;
    if (c === MINUS || c === PLUS) {
      if (c === MINUS) sign = -1;
      c = body[++pos];
    }
    if (c === undefined || c < ZERO || c > NINE) return -1;
    let power = 0;
    while (c !== undefined && c >= ZERO && c <= NINE) {
      if (power < 1e6) power = power * 10 + (c - ZERO);
      c = body[++pos];
    }
    exponent += sign * power;
  }
  if (exact && (exponent < -22 || exponent > 22)) exact = false;
  let value: number;
  if (exact) value = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
  else {
    value = Number(body.toString('latin1', start + (negative ? 1 : 0), pos));
    out.slow++;
  }
  out.push(negative ? -value : value);
  return pos;
}

/**
 * Reads the array at `pos` (a `[`) if it is a non-empty rectangular nesting of arrays whose
 * innermost ones hold only numbers: its values and level lengths, and the position after it.
 * Anything else (an empty array, ragged rows, a string, null) is undefined: JSON.parse reads it.
 */
function readNumericArray(
  body: Buffer,
  pos: number,
): { data: NumericData; end: number } | undefined {
  // The first descent fixes the rank: arrays hold arrays down to the level that holds numbers.
  let rank = 0;
  while (body[pos] === OPEN_ARRAY) {
    rank++;
    pos = skipSpace(body, pos + 1);
  }
  const lengths = new Array<number>(rank).fill(-1);
  const counts = new Array<number>(rank).fill(0);
  const values = new Values();
  let depth = rank - 1;
  for (;;) {
    // At a number of the innermost level (readNumber refuses a `[` or `]` there).
    pos = readNumber(body, pos, values);
    if (pos === -1) return undefined;
    // Numbers of 16 or more digits (a float32 printed as a double has 17) cost a string each
    // here: when one in eight is, JSON.parse reads the array as fast or faster.
    if (values.slow > 64 && values.slow * 8 > values.length) return undefined;
    counts[depth]!++;
    // After a value: its comma, or the ends of the arrays it closes.
    for (;;) {
      pos = skipSpace(body, pos);
      const c = body[pos];
      if (c === COMMA) {
        pos = skipSpace(body, pos + 1);
        while (depth < rank - 1) {
          if (body[pos] !== OPEN_ARRAY) return undefined;
          pos = skipSpace(body, pos + 1);
          depth++;
          counts[depth] = 0;
        }
        break;
      }
      if (c !== CLOSE_ARRAY) return undefined;
      if (lengths[depth] === -1) lengths[depth] = counts[depth]!;
      else if (lengths[depth] !== counts[depth]) return undefined;
      pos++;
      if (depth === 0) {
        return {
          data: new NumericData(values.array.subarray(0, values.length), lengths),
          end: pos,
        };
      }
      depth--;
      counts[depth]!++;
    }
  }
}

/**
 * An OIP infer body parsed as JSON.parse parses it, except that each `inputs[i].data` that is a
 * rectangular array of numbers comes back as NumericData, read without a JS value per number.
 * Undefined whenever the body is anything less plain (a backslash anywhere, a repeated `inputs`
 * or `data` key, an element of `inputs` that is not an object, text that is not JSON, nesting
 * deeper than `maxDepth`): the caller then checks its depth and parses it with JSON.parse, whose
 * value and error messages stand. A body it reads is within `maxDepth`, so needs no depth scan.
 */
export function parseInferJson(body: Buffer, maxDepth = Infinity): unknown {
  if (body.indexOf(BACKSLASH) !== -1) return undefined;
  const spans: { start: number; end: number; input: number; data: NumericData }[] = [];
  // The containers open at each depth, and for an object the key whose value comes next.
  const containers: number[] = [];
  const keys: (string | undefined)[] = [];
  let inputsSeen = false;
  let inputIndex = -1;
  let dataSeen = false;
  let pos = skipSpace(body, 0);
  if (body[pos] !== OPEN_OBJECT) return undefined;
  while (pos < body.length) {
    const c = body[pos]!;
    const depth = containers.length;
    const inInputs = depth === 2 && keys[0] === 'inputs' && containers[1] === OPEN_ARRAY;
    if (c === QUOTE) {
      // A string among the inputs would shift the index of the objects after it.
      if (inInputs) return undefined;
      const end = body.indexOf(QUOTE, pos + 1);
      if (end === -1) return undefined;
      const after = skipSpace(body, end + 1);
      if (containers[depth - 1] === OPEN_OBJECT && body[after] === COLON) {
        const key = body.toString('latin1', pos + 1, end);
        keys[depth - 1] = key;
        let value = skipSpace(body, after + 1);
        if (depth === 1 && key === 'inputs') {
          if (inputsSeen) return undefined;
          inputsSeen = true;
        }
        if (depth === 3 && key === 'data' && keys[0] === 'inputs' && containers[1] === OPEN_ARRAY) {
          if (dataSeen) return undefined;
          dataSeen = true;
          if (body[value] === OPEN_ARRAY) {
            // Data that is not a plain numeric array (strings, ragged rows) goes to JSON.parse
            // whole, not walked here byte by byte.
            const read = readNumericArray(body, value);
            if (!read || depth + read.data.lengths.length > maxDepth) return undefined;
            spans.push({ start: value, end: read.end, input: inputIndex, data: read.data });
            value = read.end;
          }
        }
        pos = value;
        continue;
      }
      pos = after;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (inInputs) {
        if (c !== OPEN_OBJECT) return undefined;
        inputIndex++;
        dataSeen = false;
      }
      if (depth + 1 > maxDepth) return undefined;
      containers.push(c);
      keys[depth] = undefined;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      containers.pop();
    } else if (inInputs && c !== COMMA && !isSpace(c)) {
      // A number, true, false or null among the inputs.
      return undefined;
    }
    pos++;
  }
  if (spans.length === 0) return undefined;
  // The text with each numeric `data` array replaced by a 0 (and a space, so that no number
  // after it can join it): valid exactly when the body is.
  let text = '';
  let from = 0;
  for (const span of spans) {
    text += `${body.toString('utf8', from, span.start)}0 `;
    from = span.end;
  }
  text += body.toString('utf8', from);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const inputs = (parsed as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs)) return undefined;
  for (const span of spans) {
    const input = inputs[span.input] as { data?: unknown } | undefined;
    if (typeof input !== 'object' || input === null || input.data !== 0) return undefined;
    input.data = span.data;
  }
  return parsed;
}
