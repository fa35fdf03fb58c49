const WIRE_VARINT = 0;
const WIRE_LENGTH = 2;
const WIRE_FIXED32 = 5;

const utf8 = new TextEncoder();

/**
 * The protobuf wire format, written by hand: the few encodings ONNX needs (varints, 32-bit floats,
 * length-delimited bytes and sub-messages), so that building a model needs no dependency.
 */
export class ProtobufWriter {
  private buffer = new Uint8Array(256);
  private view = new DataView(this.buffer.buffer);
  private length = 0;

  /** A varint field (int32, int64, enum); negative values take ten bytes, as int64 does. */
  int(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.varint(value);
    return this;
  }

  /** A 32-bit float field. */
  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    this.reserve(4);
    this.view.setFloat32(this.length, value, true);
    this.length += 4;
    return this;
  }

  /** A length-delimited bytes field. */
  bytes(field: number, data: Uint8Array): this {
    this.tag(field, WIRE_LENGTH);
    this.varint(data.length);
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): this {
    return this.bytes(field, utf8.encode(value));
  }

  /** A sub-message field, written by `write` into its own writer. */
  message(field: number, write: (writer: ProtobufWriter) => void): this {
    const inner = new ProtobufWriter();
    write(inner);
    return this.bytes(field, inner.finish());
  }

  /** A packed repeated varint field. */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    return this.message(field, (inner) => values.forEach((v) => inner.varint(v)));
  }

  /** A packed repeated 32-bit float field. */
  packedFloats(field: number, values: readonly number[]): this {
    const data = new DataView(new ArrayBuffer(values.length * 4));
    values.forEach((v, i) => data.setFloat32(i * 4, v, true));
    return this.bytes(field, new Uint8Array(data.buffer));
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  private varint(value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new RangeError(`protobuf varint: ${value} is not a safe integer`);
    }
    this.reserve(10);
    if (typeof value === 'number' && value >= 0) {
      let v = value;
      while (v >= 0x80) {
        this.buffer[this.length++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      this.buffer[this.length++] = v;
      return;
    }
    // Negative int64 values are written as their 64-bit two's complement.
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
  }

  private reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + bytes));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
    this.view = new DataView(grown.buffer);
  }
}
