import { describe, expect, it } from 'vitest';
import {
  ProtobufError,
  ProtobufReader,
  WireType,
  type ProtobufField,
} from '../../../src/core/model/protobufReader.js';
import { ProtobufWriter } from '../../../src/core/model/protobufWriter.js';

const bytes = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/ /g, ''), 'hex'));

function allFields(reader: ProtobufReader): ProtobufField[] {
  const out: ProtobufField[] = [];
  for (let f = reader.next(); f; f = reader.next()) out.push(f);
  return out;
}

describe('ProtobufReader', () => {
  it('reads the examples of the protobuf encoding guide', () => {
    // https://protobuf.dev/programming-guides/encoding/: a = 150; b = "testing"; c { a = 150 }.
    const data = bytes('08 96 01 12 07 74 65 73 74 69 6e 67 1a 03 08 96 01');
    const reader = new ProtobufReader(data);
    const [a, b, c] = allFields(reader);
    expect(a).toMatchObject({ number: 1, wire: WireType.varint, start: 0, end: 3 });
    expect(reader.int64s(a!)).toEqual([150n]);
    expect(b).toMatchObject({ number: 2, wire: WireType.length, tagEnd: 4, dataStart: 5 });
    expect(reader.string(b!)).toBe('testing');
    const inner = reader.message(c!);
    expect(inner.int64s(inner.next()!)).toEqual([150n]);
    expect(inner.next()).toBeUndefined();
  });

  it('reads packed varints, the guide’s example and negative int64s', () => {
    const packed = new ProtobufReader(bytes('22 06 03 8e 02 9e a7 05'));
    expect(packed.int64s(packed.next()!)).toEqual([3n, 270n, 86942n]);
    const written = new ProtobufWriter().packedInts(8, [-1, 0, -(2 ** 40), 2 ** 53 - 1]).finish();
    const reader = new ProtobufReader(written);
    expect(reader.int64s(reader.next()!)).toEqual([-1n, 0n, -(2n ** 40n), 2n ** 53n - 1n]);
    // The largest int64: nine 7-bit groups of ones and a final 0x7f.
    const max = new ProtobufReader(bytes('08 ff ff ff ff ff ff ff ff 7f'));
    expect(max.int64s(max.next()!)).toEqual([2n ** 63n - 1n]);
  });

  it('skips fixed32 and fixed64 fields by their size', () => {
    const data = new ProtobufWriter().float(1, 1.5).finish();
    const fixed64 = bytes('11 00 00 00 00 00 00 f8 3f'); // field 2, double 1.5
    const reader = new ProtobufReader(new Uint8Array([...data, ...fixed64, 0x18, 0x05]));
    const fields = allFields(reader);
    expect(fields.map((f) => [f.number, f.wire, f.dataEnd - f.dataStart])).toEqual([
      [1, WireType.fixed32, 4],
      [2, WireType.fixed64, 8],
      [3, WireType.varint, 1],
    ]);
  });

  it('reads only its range of a larger buffer', () => {
    const data = bytes('08 01 08 02 08 03');
    const reader = new ProtobufReader(data, 2, 4);
    expect(allFields(reader).map((f) => reader.int64s(f))).toEqual([[2n]]);
    expect(() => new ProtobufReader(data, 4, 7)).toThrow(
      'malformed protobuf: range [4, 7) is outside the 6 bytes',
    );
  });

  it('rejects truncated, oversized and meaningless input with a ProtobufError', () => {
    const cases: [string, string][] = [
      ['12 07 74 65', 'field 2 at byte 0 needs 7 bytes, but only 2 remain'],
      ['08', 'varint at byte 1 is cut off'],
      ['08 80 80 80 80 80', 'varint at byte 1 is cut off'],
      ['08 ff ff ff ff ff ff ff ff ff ff 01', 'varint at byte 1 is longer than ten bytes'],
      ['08 ff ff ff ff ff ff ff ff ff 02', 'varint at byte 1 exceeds 64 bits'],
      ['0d 00 00', 'field 1 at byte 0 needs 4 bytes, but only 2 remain'],
      ['09 00', 'field 1 at byte 0 needs 8 bytes, but only 1 remain'],
      ['0b', 'field 1 at byte 0 has unsupported wire type 3'],
      ['0e', 'field 1 at byte 0 has unsupported wire type 6'],
      ['00 00', 'field number 0 at byte 0'],
      ['12 ff ff ff ff ff ff ff 7f', 'varint at byte 1 is too large for a tag or a length'],
    ];
    for (const [hex, message] of cases) {
      const reader = new ProtobufReader(bytes(hex));
      const read = () => allFields(reader);
      expect(read, hex).toThrow(ProtobufError);
      expect(read, hex).toThrow(`malformed protobuf: ${message}`);
      // A failed read leaves the reader where it was.
      expect(read, hex).toThrow(`malformed protobuf: ${message}`);
    }
  });

  it('checks the wire type a caller expects, and UTF-8', () => {
    const reader = new ProtobufReader(bytes('08 01 12 02 c3 28'));
    const [varint, text] = allFields(reader);
    expect(() => reader.string(varint!)).toThrow(
      'malformed protobuf: field 1 at byte 0 has wire type 0, expected 2',
    );
    expect(() => reader.message(varint!)).toThrow(/has wire type 0, expected 2/);
    expect(() => reader.string(text!)).toThrow(
      'malformed protobuf: field 2 at byte 2 is not valid UTF-8',
    );
    const packed = new ProtobufReader(bytes('0a 01 96'));
    expect(() => packed.int64s(packed.next()!)).toThrow(/varint at byte 2 is cut off/);
  });
});
