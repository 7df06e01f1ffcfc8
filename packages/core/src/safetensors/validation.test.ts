import { describe, expect, it } from 'vitest';
import { decodeSafetensors } from './decode';
import type { TensorEntry } from './dtypes';
import { encodeSafetensors } from './encode';
import { isPeftjsError } from '../peftjs-error';
import { SafetensorsError } from './errors';
import type { SafetensorsErrorKind } from './errors';

/** A tensor's elements as a plain array (typed-array unions do not fit Array.from's overloads). */
const values = (t: TensorEntry | undefined): (number | bigint)[] =>
  Array.from((t?.data ?? []) as ArrayLike<number | bigint>);

/** A file with this exact header text (not padded) followed by `data` (or that many zero bytes). */
function craft(header: string | object, data: Uint8Array | number = 0): Uint8Array {
  const text = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}

function withLength(claim: bigint, totalBytes: number): Uint8Array {
  const out = new Uint8Array(totalBytes);
  new DataView(out.buffer).setBigUint64(0, claim, true);
  return out;
}

function expectCode(fn: () => unknown, kind: SafetensorsErrorKind, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SafetensorsError);
  const error = caught as SafetensorsError;
  expect(error.kind, error.message).toBe(kind);
  expect(error.code).toBe(`E_SAFETENSORS_${kind}`);
  expect(isPeftjsError(error)).toBe(true);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

const f32 = (name: string, shape: number[], offsets: unknown[]) => ({
  [name]: { dtype: 'F32', shape, data_offsets: offsets },
});
const decode = (bytes: Uint8Array) => () => decodeSafetensors(bytes);

describe('decodeSafetensors rejects malformed input with a typed error', () => {
  it('TRUNCATED: short length prefix, header past the end, tensor data past the end', () => {
    expectCode(decode(new Uint8Array(0)), 'TRUNCATED', '0 bytes');
    expectCode(decode(new Uint8Array(5)), 'TRUNCATED');
    expectCode(decode(withLength(1000n, 20)), 'TRUNCATED', '1000', '12 bytes follow');
    // A claim at the cap on a tiny buffer is rejected before anything is allocated from it.
    expectCode(decode(withLength(100_000_000n, 16)), 'TRUNCATED');
    expectCode(decode(craft(f32('w', [4], [0, 16]), 8)), 'TRUNCATED', '"w"', '[0, 16)', 'only 8 bytes');
  });

  it('TRUNCATED or BAD_HEADER_JSON for every prefix of a valid file', () => {
    const valid = encodeSafetensors({ w: { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) } }, { a: 'b' });
    for (let n = 0; n < valid.length; n++) {
      let code: string | undefined;
      try {
        decodeSafetensors(valid.subarray(0, n));
      } catch (error) {
        expect(error).toBeInstanceOf(SafetensorsError);
        code = (error as SafetensorsError).kind;
      }
      expect(['TRUNCATED', 'BAD_HEADER_JSON'], `prefix of ${n} bytes`).toContain(code);
    }
  });

  it('HEADER_TOO_LARGE: a length claim over 100,000,000 bytes', () => {
    expectCode(decode(withLength(100_000_001n, 64)), 'HEADER_TOO_LARGE', '100000001', '100000000');
    expectCode(decode(withLength(0xffffffffffffffffn, 64)), 'HEADER_TOO_LARGE');
  });

  it('BAD_HEADER_JSON: invalid UTF-8, syntax errors, non-object, BOM, trailing text, lone surrogates, deep nesting', () => {
    const badUtf8 = craft('{"a":1}');
    badUtf8[10] = 0xff;
    expectCode(decode(badUtf8), 'BAD_HEADER_JSON', 'UTF-8');
    expectCode(decode(craft('{"w": {"dtype": "F32",')), 'BAD_HEADER_JSON', 'end of header');
    expectCode(decode(craft('[]')), 'BAD_HEADER_JSON', 'JSON object');
    expectCode(decode(craft('"text"')), 'BAD_HEADER_JSON');
    expectCode(decode(craft('\ufeff{}')), 'BAD_HEADER_JSON');
    expectCode(decode(craft('{} x')), 'BAD_HEADER_JSON', 'after the top-level value');
    expectCode(decode(craft('{"a\\ud800":{}}')), 'BAD_HEADER_JSON', 'surrogate');
    expectCode(decode(craft('{"a":\'x\'}')), 'BAD_HEADER_JSON');
    expectCode(decode(craft('{"a":01}')), 'BAD_HEADER_JSON');
    expectCode(decode(craft('{"a\u0001":{}}')), 'BAD_HEADER_JSON', 'control character');
    expectCode(decode(craft(`{"a":${'['.repeat(100_000)}`)), 'BAD_HEADER_JSON', 'nesting');
    expectCode(decode(craft('')), 'BAD_HEADER_JSON');
  });

  it('accepts what the reference parser accepts: surrounding whitespace, escapes, padding, null metadata', () => {
    const header =
      ' \n{"__metadata__":null, "w\\u00e9" : {"dtype":"U8","shape":[2],"data_offsets":[0,2], "extra": true}}   ';
    const out = decodeSafetensors(craft(header, Uint8Array.from([4, 5])));
    expect(out.metadata).toEqual({});
    expect(values(out.tensors['wé'])).toEqual([4, 5]);
  });

  it('DUPLICATE_KEY: a tensor or a field named twice', () => {
    const entry = '{"dtype":"U8","shape":[1],"data_offsets":[0,1]}';
    expectCode(decode(craft(`{"w":${entry},"w":${entry}}`, 1)), 'DUPLICATE_KEY', '"w"', 'twice');
    expectCode(
      decode(craft('{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}', 1)),
      'DUPLICATE_KEY',
      '"dtype"',
    );
    expectCode(decode(craft('{"__metadata__":{"k":"a","k":"b"}}')), 'DUPLICATE_KEY', '"k"');
  });

  it('BAD_TENSOR_INFO: entries that are not {dtype, shape, data_offsets}', () => {
    expectCode(decode(craft({ w: 5 })), 'BAD_TENSOR_INFO', '"w"', 'number 5');
    expectCode(decode(craft({ w: { dtype: 'F32', shape: [1] } })), 'BAD_TENSOR_INFO', 'data_offsets');
    expectCode(decode(craft({ w: { dtype: 3, shape: [], data_offsets: [0, 4] } }, 4)), 'BAD_TENSOR_INFO', '"dtype"');
    expectCode(
      decode(craft({ w: { dtype: 'F32', shape: 4, data_offsets: [0, 16] } }, 16)),
      'BAD_TENSOR_INFO',
      '"shape"',
    );
  });

  it('UNKNOWN_DTYPE: names the tensor and says whether the dtype exists in the format', () => {
    const unknown = { w: { dtype: 'F128', shape: [1], data_offsets: [0, 16] } };
    expectCode(decode(craft(unknown, 16)), 'UNKNOWN_DTYPE', '"w"', '"F128"', 'not a safetensors dtype', 'F32');
    const unsupported = { w: { dtype: 'U16', shape: [1], data_offsets: [0, 2] } };
    expectCode(decode(craft(unsupported, 2)), 'UNKNOWN_DTYPE', 'does not read');
  });

  it('BAD_SHAPE: negative, fractional, non-numeric or overflowing dimensions', () => {
    expectCode(decode(craft(f32('w', [-1], [0, 4]), 4)), 'BAD_SHAPE', '"w"', '-1');
    expectCode(decode(craft(f32('w', [1.5], [0, 4]), 4)), 'BAD_SHAPE', '1.5');
    expectCode(decode(craft({ w: { dtype: 'F32', shape: ['2'], data_offsets: [0, 8] } }, 8)), 'BAD_SHAPE');
    expectCode(decode(craft(f32('w', [2 ** 40, 2 ** 40], [0, 4]), 4)), 'BAD_SHAPE', 'too many elements');
  });

  it('SHAPE_MISMATCH: shape x itemsize differs from the byte span', () => {
    expectCode(
      decode(craft(f32('w', [2, 3], [0, 20]), 20)),
      'SHAPE_MISMATCH',
      '"w"',
      'F32',
      '[2, 3]',
      '24 bytes',
      'span 20',
    );
  });

  it('BAD_OFFSETS: malformed pairs, reversed, non-integer, unsafe integers, gaps', () => {
    expectCode(decode(craft(f32('w', [1], [0, 4, 8]), 4)), 'BAD_OFFSETS', '"w"');
    expectCode(decode(craft(f32('w', [1], [4, 0]), 4)), 'BAD_OFFSETS', 'begin <= end');
    expectCode(decode(craft(f32('w', [1], [-4, 0]), 4)), 'BAD_OFFSETS');
    expectCode(decode(craft(f32('w', [1], [0.5, 4.5]), 4)), 'BAD_OFFSETS');
    expectCode(
      decode(craft('{"w":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551615,0]}}', 1)),
      'BAD_OFFSETS',
    );
    expectCode(decode(craft(f32('w', [1], [4, 8]), 8)), 'BAD_OFFSETS', 'bytes [0, 4) belong to no tensor');
    const gap = { ...f32('a', [1], [0, 4]), ...f32('b', [1], [8, 12]) };
    expectCode(decode(craft(gap, 12)), 'BAD_OFFSETS', '"b"', 'starts at data byte 8', 'ends at 4');
  });

  it('OVERLAP: two tensors sharing bytes, named both', () => {
    const overlap = { ...f32('a', [2], [0, 8]), ...f32('b', [2], [4, 12]) };
    expectCode(decode(craft(overlap, 12)), 'OVERLAP', '"a"', '"b"', '[4, 12]');
    const same = { ...f32('a', [1], [0, 4]), ...f32('b', [1], [0, 4]) };
    expectCode(decode(craft(same, 4)), 'OVERLAP');
  });

  it('TRAILING_DATA: bytes after the last tensor (rejected by the Python library too)', () => {
    expectCode(decode(craft(f32('w', [1], [0, 4]), 5)), 'TRAILING_DATA', '5 bytes', 'end at byte 4');
    expectCode(decode(craft({}, 3)), 'TRAILING_DATA');
  });

  it('BAD_METADATA: non-object metadata or non-string values', () => {
    expectCode(decode(craft({ __metadata__: { k: 1 } })), 'BAD_METADATA', '"k"', 'number 1');
    expectCode(decode(craft({ __metadata__: ['a'] })), 'BAD_METADATA', 'an array');
    expectCode(decode(craft({ __metadata__: { k: null } })), 'BAD_METADATA');
  });
});

describe('encodeSafetensors rejects invalid tensors', () => {
  const ok: TensorEntry = { dtype: 'F32', shape: [2], data: Float32Array.from([1, 2]) };

  it('BAD_NAME: empty, reserved or non-Unicode names', () => {
    expectCode(() => encodeSafetensors({ '': ok }), 'BAD_NAME', 'non-empty');
    expectCode(() => encodeSafetensors({ __metadata__: ok }), 'BAD_NAME', '__metadata__');
    expectCode(() => encodeSafetensors({ 'w\ud800': ok }), 'BAD_NAME');
  });

  it('SHAPE_MISMATCH: data length differs from the shape', () => {
    expectCode(
      () => encodeSafetensors({ w: { ...ok, shape: [3] } }),
      'SHAPE_MISMATCH',
      '"w"',
      '[3]',
      '3 elements',
      'holds 2',
    );
    expectCode(() => encodeSafetensors({ w: { ...ok, shape: [] } }), 'SHAPE_MISMATCH', '1 elements');
  });

  it('BAD_DATA: a typed array that does not hold the dtype', () => {
    expectCode(
      () => encodeSafetensors({ w: { ...ok, data: Int32Array.from([1, 2]) } }),
      'BAD_DATA',
      'Float32Array',
      'Int32Array',
    );
    expectCode(() => encodeSafetensors({ w: { dtype: 'F16', shape: [1], data: Float64Array.from([1]) } }), 'BAD_DATA');
    expectCode(
      () => encodeSafetensors({ w: { dtype: 'I64', shape: [1], data: Float64Array.from([1]) } }),
      'BAD_DATA',
      'BigInt64Array',
    );
    const plain = JSON.parse('{"w":{"dtype":"F32","shape":[1],"data":[1]}}') as Record<string, TensorEntry>;
    expectCode(() => encodeSafetensors(plain), 'BAD_DATA');
  });

  it('UNKNOWN_DTYPE, BAD_SHAPE, BAD_METADATA', () => {
    const bad = JSON.parse('{"dtype":"U16","shape":[1]}') as TensorEntry;
    expectCode(() => encodeSafetensors({ w: { ...bad, data: new Uint8Array(2) } }), 'UNKNOWN_DTYPE', '"U16"');
    expectCode(() => encodeSafetensors({ w: { ...ok, shape: [-2] } }), 'BAD_SHAPE', '[-2]');
    expectCode(() => encodeSafetensors({ w: { ...ok, shape: [0.5, 4] } }), 'BAD_SHAPE');
    const meta = JSON.parse('{"epoch":3}') as Record<string, string>;
    expectCode(() => encodeSafetensors({ w: ok }, meta), 'BAD_METADATA', '"epoch"', 'number');
  });
});
