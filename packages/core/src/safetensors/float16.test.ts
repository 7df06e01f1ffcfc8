import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import {
  bfloat16BitsToFloat32Bits,
  float16BitsToFloat32Bits,
  float32BitsToBfloat16Bits,
  float32BitsToFloat16Bits,
} from './float16';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number): number => {
  f32[0] = x;
  return u32[0] ?? 0;
};
const floatOf = (bits: number): number => {
  u32[0] = bits;
  return f32[0] ?? 0;
};

/** binary16 value from its fields, computed in float64 straight from IEEE 754 (the reference). */
function halfReference(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0x1f) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** -24;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

/** bfloat16 value from its fields (8 exponent bits, 7 mantissa bits). */
function bfloatReference(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >> 7) & 0xff;
  const m = h & 0x7f;
  if (e === 0xff) return m === 0 ? sign * Infinity : NaN;
  if (e === 0) return sign * m * 2 ** -133;
  return sign * (1 + m / 128) * 2 ** (e - 127);
}

/**
 * Returns why `bits` is not the round-to-nearest-even encoding of finite `x` (or null when it is):
 * values at or past `overflowAt` (largest finite + half an ulp) must give infinity; otherwise no
 * representable neighbour may be closer, and on a tie the mantissa must be even.
 */
function nearestEvenViolation(
  x: number,
  bits: number,
  decode: (h: number) => number,
  overflowAt: number,
): string | null {
  const chosen = decode(bits);
  if (Math.abs(x) >= overflowAt)
    return chosen === Math.sign(x) * Infinity ? null : `${x} should overflow, got ${chosen}`;
  if (!Number.isFinite(chosen)) return `${x} gave ${chosen}`;
  const error = Math.abs(x - chosen);
  const magnitude = bits & 0x7fff;
  const sign = bits & 0x8000;
  // Neighbours in magnitude on the same side of zero, plus the zero of the other sign.
  for (const m of [magnitude - 1, magnitude + 1]) {
    if (m < 0) continue;
    const v = decode(sign | m);
    if (!Number.isFinite(v)) continue;
    const other = Math.abs(x - v);
    if (other < error) return `${x} gave ${chosen}, but ${v} is closer`;
    if (other === error && (bits & 1) === 1) return `${x} is a tie and ${chosen} is odd`;
  }
  return null;
}

describe('float16', () => {
  it('decodes all 65536 bit patterns exactly as the IEEE 754 formula, and re-encodes them unchanged', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const bits = float16BitsToFloat32Bits(h);
      const value = floatOf(bits);
      const reference = halfReference(h);
      const same = Number.isNaN(reference) ? Number.isNaN(value) : Object.is(value, reference);
      // Re-encoding must give the same bits, NaN payloads and signed zeros included.
      if (!same || float32BitsToFloat16Bits(bits) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds random float32 values to the nearest binary16, ties to even', () => {
    const rng = new Rng('float16-rne');
    const violations: string[] = [];
    for (let i = 0; i < 20000; i++) {
      // Spread exponents over the whole binary16 range, including subnormals and overflow.
      const x = Math.fround((rng.uniform() * 2 - 1) * 2 ** (rng.int(50) - 28));
      const why = nearestEvenViolation(x, float32BitsToFloat16Bits(bitsOf(x)), halfReference, 65520);
      if (why !== null) violations.push(why);
    }
    expect(violations).toEqual([]);
  });

  it('handles the classic edge cases', () => {
    const enc = (x: number): number => float32BitsToFloat16Bits(bitsOf(x));
    expect(enc(65504)).toBe(0x7bff);
    expect(enc(65519)).toBe(0x7bff); // below the tie with 65536
    expect(enc(65520)).toBe(0x7c00); // tie rounds to even: infinity
    expect(enc(2 ** -24)).toBe(0x0001);
    expect(enc(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal: even is 0
    expect(enc(3 * 2 ** -25)).toBe(0x0002); // tie between 1 and 2 subnormal units: even is 2
    expect(enc(-(2 ** -26))).toBe(0x8000);
    expect(enc(2 ** -14 - 2 ** -25)).toBe(0x0400); // a subnormal that rounds up to the smallest normal
    expect(enc(1 + 2 ** -11)).toBe(0x3c00);
    expect(enc(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(enc(Infinity)).toBe(0x7c00);
    expect(enc(-Infinity)).toBe(0xfc00);
    expect(enc(NaN)).toBe(0x7e00); // numpy's result for the canonical float32 NaN
    expect(float32BitsToFloat16Bits(0x7f800001)).toBe(0x7c01); // payload lost below bit 13: still NaN
  });
});

describe('bfloat16', () => {
  it('decodes all bit patterns by the formula and re-encodes every non-NaN unchanged', () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const value = floatOf(bfloat16BitsToFloat32Bits(h));
      const reference = bfloatReference(h);
      const reencoded = float32BitsToBfloat16Bits(bfloat16BitsToFloat32Bits(h));
      const ok = Number.isNaN(reference)
        ? Number.isNaN(value) && reencoded === 0x7fc0
        : Object.is(value, reference) && reencoded === h;
      if (!ok) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds random float32 bit patterns to the nearest bfloat16, ties to even', () => {
    const rng = new Rng('bfloat16-rne');
    const violations: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const bits = rng.nextUint32();
      const x = floatOf(bits);
      if (!Number.isFinite(x)) continue;
      const why = nearestEvenViolation(
        x,
        float32BitsToBfloat16Bits(bits),
        bfloatReference,
        3.3895313892515355e38 + 2 ** 119,
      );
      if (why !== null) violations.push(why);
    }
    expect(violations).toEqual([]);
  });

  it('writes NaN as 0x7fc0 like c10 round_to_nearest_even, and overflows to infinity', () => {
    expect(float32BitsToBfloat16Bits(bitsOf(NaN))).toBe(0x7fc0);
    expect(float32BitsToBfloat16Bits(0xffc00001)).toBe(0x7fc0);
    expect(float32BitsToBfloat16Bits(bitsOf(3.4028234663852886e38))).toBe(0x7f80);
    expect(float32BitsToBfloat16Bits(bitsOf(-Infinity))).toBe(0xff80);
    expect(float32BitsToBfloat16Bits(bitsOf(1 + 2 ** -8))).toBe(0x3f80);
    expect(float32BitsToBfloat16Bits(bitsOf(1 + 3 * 2 ** -8))).toBe(0x3f82);
  });
});
