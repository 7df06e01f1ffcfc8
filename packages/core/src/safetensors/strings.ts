/** True when `s` has no unpaired UTF-16 surrogate, i.e. it can be written as UTF-8. */
export function isWellFormedUnicode(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false; // trailing surrogate without a leading one
    const next = s.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/**
 * Orders strings by Unicode code point, which is the byte order of their UTF-8 encodings and so the
 * order Rust's `String: Ord` gives the safetensors writer. Plain `<` compares UTF-16 code units,
 * which disagrees when a surrogate pair meets a character in U+E000..U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrderKey(x) - codePointOrderKey(y);
  }
  return a.length - b.length;
}

function codePointOrderKey(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000; // surrogates encode code points >= U+10000
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

/** Defines `key` as an own enumerable property, so that a name like `__proto__` cannot alter the object. */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
