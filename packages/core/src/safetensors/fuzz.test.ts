import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { decodeSafetensors } from './decode';
import { dtypeItemSize, SAFETENSORS_DTYPES } from './dtypes';
import type { SafetensorsDtype, TensorEntry } from './dtypes';
import { encodeSafetensors } from './encode';
import { SafetensorsError } from './errors';

const CASES = 10_000;

function randomValidFile(rng: Rng): Uint8Array {
  const tensors: Record<string, TensorEntry> = {};
  const count = rng.int(5);
  for (let i = 0; i < count; i++) {
    const dtype = SAFETENSORS_DTYPES[rng.int(SAFETENSORS_DTYPES.length)] as SafetensorsDtype;
    const shape = Array.from({ length: rng.int(3) }, () => rng.int(4));
    const n = shape.reduce((a, b) => a * b, 1);
    const bytes = Uint8Array.from({ length: n * 8 }, () => rng.int(256));
    const data = (() => {
      switch (dtype) {
        case 'F64':
          return new Float64Array(bytes.buffer);
        case 'F32':
        case 'F16':
        case 'BF16':
          return new Float32Array(bytes.buffer, 0, n);
        case 'I64':
          return new BigInt64Array(bytes.buffer);
        case 'I32':
          return new Int32Array(bytes.buffer, 0, n);
        case 'I16':
          return new Int16Array(bytes.buffer, 0, n);
        case 'I8':
          return new Int8Array(bytes.buffer, 0, n);
        case 'U8':
        case 'BOOL':
          return new Uint8Array(bytes.buffer, 0, n);
      }
    })();
    tensors[`t${i}.${['', 'x', 'é', '😀'][rng.int(4)]}`] = { dtype, shape, data };
  }
  return encodeSafetensors(tensors, rng.int(2) === 0 ? undefined : { k: 'v'.repeat(rng.int(5)) });
}

/** A header from random pieces: plausible enough to get past JSON parsing into the validators. */
function randomHeaderFile(rng: Rng): Uint8Array {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)] as T;
  const num = (): unknown => pick([0, 1, 2, 4, 8, 16, -1, 1.5, 2 ** 53, 1e300, '4', null]);
  const entries: string[] = [];
  const coherent = rng.int(2) === 0;
  let offset = 0;
  for (let i = rng.int(4); i >= 0; i--) {
    const name = pick(['a', 'b', 'c', 'a', '__metadata__', '', 'w\\u00e9', 'w\\ud800']);
    if (coherent) {
      // Consistent dtype/shape/size, with offsets nudged to make gaps, overlaps and out-of-range ends.
      const dtype = pick(SAFETENSORS_DTYPES);
      const shape = Array.from({ length: rng.int(3) }, () => rng.int(3));
      const size = shape.reduce((a, b) => a * b, 1) * dtypeItemSize(dtype);
      const begin = Math.max(0, offset + pick([0, 0, 0, -2, 2, -8]));
      entries.push(`"${name}${i}":{"dtype":"${dtype}","shape":[${shape}],"data_offsets":[${begin},${begin + size}]}`);
      offset = begin + size;
      continue;
    }
    const fields: string[] = [];
    if (rng.int(8) > 0) fields.push(`"dtype":${JSON.stringify(pick([...SAFETENSORS_DTYPES, 'U16', 'X', 7]))}`);
    if (rng.int(8) > 0) fields.push(`"shape":${JSON.stringify(Array.from({ length: rng.int(3) }, num))}`);
    if (rng.int(8) > 0) fields.push(`"data_offsets":${JSON.stringify(Array.from({ length: 1 + rng.int(3) }, num))}`);
    if (rng.int(10) === 0) fields.push(`"k":${JSON.stringify(pick(['s', 1, ['x']]))}`);
    const value = rng.int(10) === 0 ? JSON.stringify(num()) : `{${fields.join(',')}}`;
    entries.push(`"${name}":${value}`);
  }
  const header = new TextEncoder().encode(`{${entries.join(',')}}`);
  const data = coherent && rng.int(2) === 0 ? offset + pick([0, 0, 1, -1]) : rng.int(40);
  const out = new Uint8Array(8 + header.length + Math.max(0, data));
  new DataView(out.buffer).setBigUint64(0, BigInt(header.length), true);
  out.set(header, 8);
  return out;
}

function mutate(base: Uint8Array, rng: Rng): Uint8Array {
  const kind = rng.int(6);
  if (kind === 0) return base.slice(0, rng.int(base.length + 1)); // truncation
  if (kind === 1) {
    const extra = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
    const out = new Uint8Array(base.length + extra.length);
    out.set(base);
    out.set(extra, base.length);
    return out;
  }
  const out = base.slice();
  if (kind === 2) {
    // Random header-length claims: tiny, near the true length, at and past the cap, enormous.
    const claims = [
      0n,
      1n,
      BigInt(rng.int(out.length + 16)),
      99_999_999n,
      100_000_000n,
      100_000_001n,
      2n ** 63n,
      2n ** 64n - 1n,
    ];
    new DataView(out.buffer).setBigUint64(0, claims[rng.int(claims.length)] as bigint, true);
    return out;
  }
  if (kind === 5) {
    // Flip bytes of the data section only: the file stays valid and must decode.
    const dataStart = 8 + Number(new DataView(out.buffer).getBigUint64(0, true));
    for (let i = dataStart; i < out.length; i++) if (rng.int(3) === 0) out[i] = rng.int(256);
    return out;
  }
  const flips = 1 + rng.int(4);
  for (let i = 0; i < flips && out.length > 0; i++) {
    // Mostly inside the header, where a flip changes structure rather than just data values.
    const at =
      rng.int(4) === 0 ? rng.int(out.length) : Math.min(out.length - 1, 8 + rng.int(Math.max(1, out.length - 8)));
    out[at] = kind === 3 ? rng.int(256) : '{}[]",:0123456789-. \\e'.charCodeAt(rng.int(22));
  }
  return out;
}

describe('decodeSafetensors fuzzing', () => {
  it(`${CASES} seeded random and mutated inputs either decode consistently or throw SafetensorsError`, () => {
    const rng = new Rng('safetensors-fuzz');
    const bases = Array.from({ length: 24 }, () => randomValidFile(rng));
    const codes = new Map<string, number>();
    const foreign: string[] = [];
    let decoded = 0;
    for (let i = 0; i < CASES; i++) {
      const which = rng.int(10);
      let input: Uint8Array;
      if (which === 0) input = Uint8Array.from({ length: rng.int(64) }, () => rng.int(256));
      else if (which <= 3) input = randomHeaderFile(rng);
      else input = mutate(bases[rng.int(bases.length)] as Uint8Array, rng);
      try {
        const { tensors } = decodeSafetensors(input);
        decoded++;
        for (const t of Object.values(tensors)) {
          const n = t.shape.reduce((a, b) => a * b, 1);
          if (t.data.length !== n)
            foreign.push(`case ${i}: ${t.dtype} shape [${t.shape}] decoded ${t.data.length} elements`);
          if (n * dtypeItemSize(t.dtype) > input.length) foreign.push(`case ${i}: tensor larger than its file`);
        }
        // Whatever decodes must encode again and decode to the same tensors.
        const again = decodeSafetensors(encodeSafetensors(tensors));
        expect(Object.keys(again.tensors).sort()).toEqual(Object.keys(tensors).sort());
      } catch (error) {
        if (error instanceof SafetensorsError) codes.set(error.kind, (codes.get(error.kind) ?? 0) + 1);
        else foreign.push(`case ${i}: ${String(error)}`);
      }
    }
    expect(foreign).toEqual([]);
    // The generators must actually reach the validators, not just the first length check.
    expect(decoded).toBeGreaterThan(CASES / 20);
    for (const code of [
      'TRUNCATED',
      'HEADER_TOO_LARGE',
      'BAD_HEADER_JSON',
      'DUPLICATE_KEY',
      'BAD_TENSOR_INFO',
      'UNKNOWN_DTYPE',
      'BAD_SHAPE',
      'SHAPE_MISMATCH',
      'BAD_OFFSETS',
      'OVERLAP',
      'TRAILING_DATA',
    ]) {
      expect(codes.get(code) ?? 0, code).toBeGreaterThan(0);
    }
  });
});
