import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SafetensorsDtype, TensorData, TensorEntry } from './dtypes';
import { decodeSafetensors } from './decode';
import { encodeSafetensors } from './encode';

// Written by tools/core/make_safetensors_fixture.py, which builds the bytes by hand with numpy
// (F16) and torch (BF16) following safetensors' tensor.rs prepare()/serialize().
const fixtureDir = new URL('../../test/fixtures/', import.meta.url);
const fixture = new Uint8Array(readFileSync(new URL('python-layout.safetensors', fixtureDir)));

type JsonNumber = number | string;
interface ExpectedTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  values: JsonNumber[];
  source?: JsonNumber[];
  bits?: number[];
}
const expected = JSON.parse(readFileSync(new URL('python-layout.expected.json', fixtureDir), 'utf8')) as {
  metadata: Record<string, string>;
  order: string[];
  tensors: Record<string, ExpectedTensor>;
};

const num = (v: JsonNumber): number => (typeof v === 'number' ? v : Number(v)); // 'NaN', 'Infinity', '-Infinity'

/** Rebuilds the tensors the Python script started from (F16/BF16 from their float32 sources). */
function sourceEntry(t: ExpectedTensor): TensorEntry {
  const values = (t.source ?? t.values).map(num);
  const make = (): TensorData => {
    switch (t.dtype) {
      case 'F64':
        return Float64Array.from(values);
      case 'F32':
      case 'F16':
      case 'BF16':
        return Float32Array.from(values);
      case 'I64':
        return BigInt64Array.from(t.values.map((v) => BigInt(v)));
      case 'I32':
        return Int32Array.from(values);
      case 'I16':
        return Int16Array.from(values);
      case 'I8':
        return Int8Array.from(values);
      case 'U8':
      case 'BOOL':
        return Uint8Array.from(values);
    }
  };
  return { dtype: t.dtype, shape: t.shape, data: make() };
}

describe('layout parity with the Python safetensors writer', () => {
  it('decodes every tensor of the hand-built Python fixture to the expected values', () => {
    const { tensors, metadata } = decodeSafetensors(fixture);
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors)).toEqual(expected.order); // records come back in file order
    for (const name of expected.order) {
      const want = expected.tensors[name] as ExpectedTensor;
      const got = tensors[name] as TensorEntry;
      expect(got.dtype).toBe(want.dtype);
      expect(got.shape).toEqual(want.shape);
      const gotValues = Array.from(got.data as ArrayLike<number | bigint>, (v) =>
        typeof v === 'bigint' ? v.toString() : v,
      );
      const wantValues = want.dtype === 'I64' ? want.values : want.values.map(num);
      // toEqual treats NaN as equal to NaN and tells -0 from +0, which is what we need here.
      expect(gotValues, name).toEqual(wantValues);
    }
  });

  it('encodes the same tensors to exactly the fixture bytes', () => {
    const tensors: Record<string, TensorEntry> = {};
    // Insert in reverse so that the encoder's own ordering is what produces the layout.
    for (const name of [...expected.order].reverse())
      tensors[name] = sourceEntry(expected.tensors[name] as ExpectedTensor);
    const metadata = Object.fromEntries(Object.entries(expected.metadata).reverse());
    const ours = encodeSafetensors(tensors, metadata);
    expect(ours.length).toBe(fixture.length);
    expect(Buffer.from(ours).equals(Buffer.from(fixture))).toBe(true);
  });

  it('writes F16/BF16 with the same bits as numpy and torch', () => {
    for (const name of ['c.f16', 'd.bf16']) {
      const t = expected.tensors[name] as ExpectedTensor;
      const bytes = encodeSafetensors({ t: sourceEntry(t) });
      const start = bytes.length - 2 * (t.bits?.length ?? 0);
      const bits = Array.from(new Uint16Array(bytes.slice(start).buffer));
      expect(bits, name).toEqual(t.bits);
    }
  });

  it('matches the byte vectors of the reference implementation tests', () => {
    // safetensors tensor.rs test_empty: no tensors gives "{}" padded to 8 bytes.
    const empty = encodeSafetensors({});
    expect(Array.from(empty)).toEqual([8, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('{}      ')]);
    const withMeta = encodeSafetensors({}, { framework: 'pt' });
    const text = '{"__metadata__":{"framework":"pt"}}';
    expect(Array.from(withMeta)).toEqual([40, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(text.padEnd(40, ' '))]);
    // test_serialization: "attn.0" F32 [1,2,3] = 0..5; a 64-byte header needs no padding.
    const attn = encodeSafetensors({
      'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) },
    });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    expect(new TextDecoder().decode(attn.subarray(8, 72))).toBe(header);
    expect(attn[0]).toBe(64);
    expect(Array.from(new Float32Array(attn.slice(72).buffer))).toEqual([0, 1, 2, 3, 4, 5]);
    // test_serialization_forced_alignement: "attn0" with shape [1,1,2,3] is 65 bytes, padded to 72.
    const attn0 = encodeSafetensors({
      attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: Float32Array.from([0, 1, 2, 3, 4, 5]) },
    });
    expect(attn0[0]).toBe(72);
    expect(new TextDecoder().decode(attn0.subarray(8, 80))).toBe(
      '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ',
    );
  });
});
