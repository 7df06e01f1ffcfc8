import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { decodeSafetensors } from './decode';
import { SAFETENSORS_DTYPES } from './dtypes';
import type { SafetensorsDtype, TensorData, TensorEntry } from './dtypes';
import { encodeSafetensors } from './encode';
import {
  float16BitsToFloat32Bits,
  float32BitsToBfloat16Bits,
  float32BitsToFloat16Bits,
  bfloat16BitsToFloat32Bits,
} from './float16';

/** A tensor's elements as a plain array (typed-array unions do not fit Array.from's overloads). */
const values = (t: TensorEntry | undefined): (number | bigint)[] =>
  Array.from((t?.data ?? []) as ArrayLike<number | bigint>);

/** Random data covering each dtype's full range (random bit patterns for the float types). */
function randomData(dtype: SafetensorsDtype, n: number, rng: Rng): TensorData {
  const words = Uint32Array.from({ length: n * 2 }, () => rng.nextUint32());
  switch (dtype) {
    case 'F64':
      return new Float64Array(words.buffer);
    case 'F32':
    case 'F16':
    case 'BF16':
      return new Float32Array(words.buffer, 0, n);
    case 'I64':
      return new BigInt64Array(words.buffer);
    case 'I32':
      return new Int32Array(words.buffer, 0, n);
    case 'I16':
      return new Int16Array(words.buffer, 0, n);
    case 'I8':
      return new Int8Array(words.buffer, 0, n);
    case 'U8':
      return new Uint8Array(words.buffer, 0, n);
    case 'BOOL':
      return Uint8Array.from({ length: n }, () => rng.int(2));
  }
}

const bits32 = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('encodeSafetensors / decodeSafetensors round trip', () => {
  it('restores every dtype bit for bit (F16/BF16 as their rounded float32 values)', () => {
    const rng = new Rng('roundtrip');
    const tensors: Record<string, TensorEntry> = {};
    for (const dtype of SAFETENSORS_DTYPES) {
      tensors[`layer.${dtype.toLowerCase()}`] = { dtype, shape: [3, 5], data: randomData(dtype, 15, rng) };
    }
    const { tensors: back, metadata } = decodeSafetensors(encodeSafetensors(tensors));
    expect(metadata).toEqual({});
    for (const [name, original] of Object.entries(tensors)) {
      const got = back[name] as TensorEntry;
      expect(got.dtype).toBe(original.dtype);
      expect(got.shape).toEqual([3, 5]);
      expect(Object.prototype.toString.call(got.data)).toBe(Object.prototype.toString.call(original.data));
      if (original.dtype === 'F16' || original.dtype === 'BF16') {
        // Reference: encode each float32 with the scalar converter, widen back; NaNs compare as NaN.
        const brain = original.dtype === 'BF16';
        const want = bits32(original.data as Float32Array).map((b) =>
          brain
            ? bfloat16BitsToFloat32Bits(float32BitsToBfloat16Bits(b))
            : float16BitsToFloat32Bits(float32BitsToFloat16Bits(b)),
        );
        expect(bits32(got.data as Float32Array), name).toEqual(want);
      } else if (original.dtype === 'F32' || original.dtype === 'F64') {
        const width = original.dtype === 'F32' ? 4 : 8;
        const raw = (a: TensorData): number[] => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.length * width));
        expect(raw(got.data), name).toEqual(raw(original.data)); // NaN payloads included
      } else {
        expect(Array.from(got.data as ArrayLike<number | bigint>), name).toEqual(
          Array.from(original.data as ArrayLike<number | bigint>),
        );
      }
    }
  });

  it('keeps F16/BF16 special values: infinities, NaN, signed zeros, subnormals', () => {
    const special = Float32Array.from([Infinity, -Infinity, NaN, 0, -0, 2 ** -24, -(2 ** -20), 65504, 1e-40]);
    const out = decodeSafetensors(
      encodeSafetensors({
        h: { dtype: 'F16', shape: [9], data: special },
        b: { dtype: 'BF16', shape: [9], data: special },
      }),
    ).tensors;
    expect(values(out.h)).toEqual([Infinity, -Infinity, NaN, 0, -0, 2 ** -24, -(2 ** -20), 65504, 0]);
    // bfloat16 keeps float32's exponent range; 1e-40 (a float32 subnormal) becomes the nearest bf16 subnormal.
    const b = values(out.b);
    expect(b.slice(0, 8)).toEqual([Infinity, -Infinity, NaN, 0, -0, 2 ** -24, -(2 ** -20), 65536]);
    expect(b[8]).toBe(2 ** -133); // 1e-40 is 1.09 units of the smallest bf16 subnormal 2^-133 -> 1 unit (torch agrees)
  });

  it('handles scalars, empty tensors, metadata, odd alignment and a name like __proto__', () => {
    const tensors: Record<string, TensorEntry> = {};
    Object.defineProperty(tensors, '__proto__', {
      value: { dtype: 'I8', shape: [1], data: Int8Array.from([-3]) },
      enumerable: true,
    });
    tensors.scalar = { dtype: 'F64', shape: [], data: Float64Array.from([Math.PI]) };
    tensors.empty = { dtype: 'I64', shape: [4, 0], data: new BigInt64Array(0) };
    tensors.odd = { dtype: 'U8', shape: [3], data: Uint8Array.from([1, 2, 3]) };
    tensors.after = { dtype: 'I16', shape: [2], data: Int16Array.from([-1, 300]) };
    const bytes = encodeSafetensors(tensors, { é: 'ü', empty: '' });
    // Decode from an unaligned copy so typed-array views cannot be taken directly.
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const back = decodeSafetensors(shifted);
    expect(back.metadata).toEqual({ é: 'ü', empty: '' });
    expect(Object.getPrototypeOf(back.tensors)).toBe(Object.prototype);
    expect(Object.keys(back.tensors).sort()).toEqual(['__proto__', 'after', 'empty', 'odd', 'scalar']);
    expect(Array.from(Object.getOwnPropertyDescriptor(back.tensors, '__proto__')?.value.data)).toEqual([-3]);
    expect(back.tensors.scalar).toEqual({ dtype: 'F64', shape: [], data: Float64Array.from([Math.PI]) });
    expect(back.tensors.empty).toEqual({ dtype: 'I64', shape: [4, 0], data: new BigInt64Array(0) });
    expect(values(back.tensors.after)).toEqual([-1, 300]);
    // Decoded tensors own their bytes: mutating the input afterwards changes nothing.
    shifted.fill(0);
    expect(values(back.tensors.odd)).toEqual([1, 2, 3]);
  });

  it('writes BOOL as 0/1 and reads any non-zero byte as 1', () => {
    const bytes = encodeSafetensors({ m: { dtype: 'BOOL', shape: [4], data: Uint8Array.from([0, 7, 255, 1]) } });
    expect(Array.from(bytes.subarray(bytes.length - 4))).toEqual([0, 1, 1, 1]);
    bytes[bytes.length - 1] = 9;
    expect(values(decodeSafetensors(bytes).tensors.m)).toEqual([0, 1, 1, 1]);
  });

  it('encodes typed-array views with a byte offset', () => {
    const backing = new Float32Array([9, 1, 2, 3, 9]);
    const view = backing.subarray(1, 4);
    const out = decodeSafetensors(encodeSafetensors({ v: { dtype: 'F32', shape: [3], data: view } }));
    expect(values(out.tensors.v)).toEqual([1, 2, 3]);
  });
});
