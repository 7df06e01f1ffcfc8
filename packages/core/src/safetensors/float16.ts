/**
 * IEEE 754 binary16 (F16) and bfloat16 (BF16) conversions to and from float32, on bit patterns so that
 * infinities, signed zeros, subnormals and NaN payloads survive. Encoding rounds to nearest, ties to
 * even, as numpy's `astype(float16)` and PyTorch's `to(torch.bfloat16)` do.
 */

/** float32 bits -> binary16 bits, round-to-nearest-even (numpy `npy_floatbits_to_halfbits`). */
export function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  const mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    if (mantissa === 0) return sign | 0x7c00; // +-inf
    // NaN: keep the top payload bits, and make sure the result is still a NaN (not inf).
    const payload = mantissa >>> 13;
    return sign | 0x7c00 | (payload === 0 ? 1 : payload);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00; // too large: overflows to inf
  if (halfExponent <= 0) {
    // Result is a binary16 subnormal (or zero). Values below 2^-25 round to zero.
    if (halfExponent < -10) return sign;
    const significand = mantissa | 0x800000; // restore the implicit leading 1
    const shift = 14 - halfExponent; // 14..24
    let half = significand >>> shift;
    const remainder = significand & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) half += 1;
    return sign | half; // a carry into bit 10 correctly yields the smallest normal
  }
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) half += 1; // carry may reach inf: correct
  return sign | half;
}

/** binary16 bits -> float32 bits (exact: every binary16 value is a float32 value). */
export function float16BitsToFloat32Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  const exponent = (half >>> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  if (exponent === 0x1f) return (sign | 0x7f800000 | (mantissa << 13)) >>> 0;
  if (exponent !== 0) return (sign | ((exponent - 15 + 127) << 23) | (mantissa << 13)) >>> 0;
  if (mantissa === 0) return sign >>> 0;
  // Subnormal binary16: normalise the mantissa into a float32 normal.
  let e = -14;
  let m = mantissa;
  while ((m & 0x400) === 0) {
    m <<= 1;
    e -= 1;
  }
  return (sign | ((e + 127) << 23) | ((m & 0x3ff) << 13)) >>> 0;
}

/** float32 bits -> bfloat16 bits, round-to-nearest-even; NaN becomes 0x7fc0 (c10 `round_to_nearest_even`). */
export function float32BitsToBfloat16Bits(bits: number): number {
  if ((bits & 0x7f800000) === 0x7f800000 && (bits & 0x7fffff) !== 0) return 0x7fc0;
  const roundingBias = 0x7fff + ((bits >>> 16) & 1);
  return ((bits >>> 0) + roundingBias) >>> 16;
}

/** bfloat16 bits -> float32 bits (exact). */
export function bfloat16BitsToFloat32Bits(half: number): number {
  return (half << 16) >>> 0;
}

/** Encodes `values` as 16-bit floats into `out` (2 bytes each, little-endian). */
export function writeHalfFloats(values: Float32Array, out: Uint8Array, brain: boolean): void {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const convert = brain ? float32BitsToBfloat16Bits : float32BitsToFloat16Bits;
  for (let i = 0; i < bits.length; i++) {
    const h = convert(bits[i] ?? 0);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
}

/** Decodes little-endian 16-bit floats from `bytes` into a new Float32Array. */
export function readHalfFloats(bytes: Uint8Array, brain: boolean): Float32Array {
  const count = bytes.length >>> 1;
  const out = new Float32Array(count);
  const bits = new Uint32Array(out.buffer);
  const convert = brain ? bfloat16BitsToFloat32Bits : float16BitsToFloat32Bits;
  for (let i = 0; i < count; i++) {
    bits[i] = convert((bytes[2 * i] ?? 0) | ((bytes[2 * i + 1] ?? 0) << 8));
  }
  return out;
}
