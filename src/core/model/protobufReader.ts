/** Protobuf wire types (https://protobuf.dev/programming-guides/encoding/#structure). */
export const WireType = { varint: 0, fixed64: 1, length: 2, fixed32: 5 } as const;

/** One field of a message, located by byte offsets into the reader's buffer. */
export interface ProtobufField {
  number: number;
  wire: number;
  /** Offset of the field's tag: bytes [start, end) are the whole field as written. */
  start: number;
  end: number;
  /** Offset just after the tag: a length-delimited field's length prefix starts here. */
  tagEnd: number;
  /** Offsets of the payload: the value's bytes, or for a length-delimited field its contents. */
  dataStart: number;
  dataEnd: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the protobuf wire format field by field over a range of a buffer, without copying:
 * sub-messages are read by a new reader over the same buffer. Every length is checked against
 * the range, so malformed or truncated input throws a ProtobufError instead of reading past it.
 */
export class ProtobufReader {
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly start = 0,
    readonly end = bytes.length,
  ) {
    if (start < 0 || end > bytes.length || start > end) {
      throw new ProtobufError(`range [${start}, ${end}) is outside the ${bytes.length} bytes`);
    }
    this.pos = start;
  }

  /** The next field, or undefined at the end of the range. */
  next(): ProtobufField | undefined {
    if (this.pos >= this.end) return undefined;
    // The position moves only once the whole field has been read: an error leaves it as it was.
    const start = this.pos;
    const { value: tag, next: tagEnd } = this.smallVarint(start);
    const number = Math.floor(tag / 8);
    const wire = tag % 8;
    if (number === 0) throw new ProtobufError(`field number 0 at byte ${start}`);
    let dataStart = tagEnd;
    let dataEnd: number;
    switch (wire) {
      case WireType.varint:
        // A value may use all 64 bits: only skip it here; int64s() reads it.
        dataEnd = skipVarint(this.bytes, dataStart, this.end);
        break;
      case WireType.fixed64:
        dataEnd = this.take(start, dataStart, 8, number);
        break;
      case WireType.fixed32:
        dataEnd = this.take(start, dataStart, 4, number);
        break;
      case WireType.length: {
        const { value: length, next } = this.smallVarint(tagEnd);
        dataStart = next;
        dataEnd = this.take(start, dataStart, length, number);
        break;
      }
      default:
        // 3 and 4 are proto2 groups, which ONNX never writes; 6 and 7 do not exist.
        throw new ProtobufError(
          `field ${number} at byte ${start} has unsupported wire type ${wire}`,
        );
    }
    this.pos = dataEnd;
    return { number, wire, start, end: dataEnd, tagEnd, dataStart, dataEnd };
  }

  /** A reader over a length-delimited field's contents. */
  message(field: ProtobufField): ProtobufReader {
    expectWire(field, WireType.length);
    return new ProtobufReader(this.bytes, field.dataStart, field.dataEnd);
  }

  /** A length-delimited field's contents, not copied. */
  raw(field: ProtobufField): Uint8Array {
    expectWire(field, WireType.length);
    return this.bytes.subarray(field.dataStart, field.dataEnd);
  }

  /** A length-delimited field's contents as UTF-8 text. */
  string(field: ProtobufField): string {
    expectWire(field, WireType.length);
    try {
      return utf8.decode(this.bytes.subarray(field.dataStart, field.dataEnd));
    } catch {
      throw new ProtobufError(`field ${field.number} at byte ${field.start} is not valid UTF-8`);
    }
  }

  /**
   * The values of a repeated int64 field, whether written one varint per field (proto2's
   * default, as ONNX's own serializer does) or packed into one length-delimited field.
   */
  int64s(field: ProtobufField): bigint[] {
    if (field.wire === WireType.varint)
      return [toInt64(readVarint(this.bytes, field.dataStart).value)];
    expectWire(field, WireType.length);
    const values: bigint[] = [];
    let pos = field.dataStart;
    while (pos < field.dataEnd) {
      const { value, next } = readVarint(this.bytes, pos, field.dataEnd);
      values.push(toInt64(value));
      pos = next;
    }
    return values;
  }

  /** A tag or a length at `at`: a varint that must be a safe integer. */
  private smallVarint(at: number): { value: number; next: number } {
    // Up to seven bytes (49 bits) as a plain number: every tag and length short of 512 TiB.
    let value = 0;
    for (let i = 0; i < 7 && at + i < this.end; i++) {
      const byte = this.bytes[at + i]!;
      value += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) return { value, next: at + i + 1 };
    }
    const long = readVarint(this.bytes, at, this.end);
    if (long.value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ProtobufError(`varint at byte ${at} is too large for a tag or a length`);
    }
    return { value: Number(long.value), next: long.next };
  }

  /** The end of `length` bytes from `at`, checked against the range; `start` is the tag's. */
  private take(start: number, at: number, length: number, field: number): number {
    if (length > this.end - at) {
      throw new ProtobufError(
        `field ${field} at byte ${start} needs ${length} bytes, but only ${this.end - at} remain`,
      );
    }
    return at + length;
  }
}

/** The input is not valid protobuf: truncated, or not a protobuf message at all. */
export class ProtobufError extends Error {
  constructor(message: string) {
    super(`malformed protobuf: ${message}`);
    this.name = 'ProtobufError';
  }
}

/** The end of the varint at `at`, checked as readVarint checks it. */
function skipVarint(bytes: Uint8Array, at: number, end: number): number {
  for (let i = 0; i < 9 && at + i < end; i++) {
    if (bytes[at + i]! < 0x80) return at + i + 1;
  }
  return readVarint(bytes, at, end).next;
}

/** A varint of at most ten bytes, as an unsigned 64-bit value. */
function readVarint(
  bytes: Uint8Array,
  at: number,
  end = bytes.length,
): { value: bigint; next: number } {
  // Most varints (tags, lengths under 2^28) fit four bytes: read them as plain numbers.
  let small = 0;
  for (let i = 0; i < 4; i++) {
    if (at + i >= end) throw new ProtobufError(`varint at byte ${at} is cut off`);
    const byte = bytes[at + i]!;
    small += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { value: BigInt(small), next: at + i + 1 };
  }
  let value = BigInt(small);
  for (let i = 4; i < 10; i++) {
    if (at + i >= end) throw new ProtobufError(`varint at byte ${at} is cut off`);
    const byte = bytes[at + i]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) {
      if (value >= 1n << 64n) throw new ProtobufError(`varint at byte ${at} exceeds 64 bits`);
      return { value, next: at + i + 1 };
    }
  }
  throw new ProtobufError(`varint at byte ${at} is longer than ten bytes`);
}

function toInt64(value: bigint): bigint {
  return BigInt.asIntN(64, value);
}

function expectWire(field: ProtobufField, wire: number): void {
  if (field.wire !== wire) {
    throw new ProtobufError(
      `field ${field.number} at byte ${field.start} has wire type ${field.wire}, expected ${wire}`,
    );
  }
}
