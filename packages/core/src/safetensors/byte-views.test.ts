import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from './decode';

// Issue 15, "byte views": a Node Buffer from fs.readFileSync is a view into a shared 8 KiB pool, and a
// `subarray` starts at a non-zero byteOffset. The decoder must read only the bytes the view covers.
// The file is assembled by hand from the safetensors spec (u64 LE header length, JSON header, LE data),
// so the expected values below are the ones written, not outputs of our encoder.

/** One tensor per dtype; `bytes` are its little-endian data, `want` what they mean (by hand). */
const CASES: { name: string; dtype: string; shape: number[]; bytes: number[]; want: (number | bigint)[] }[] = [
  { name: 'f32', dtype: 'F32', shape: [4], bytes: f32([1, 2, 3, 4]), want: [1, 2, 3, 4] },
  { name: 'f64', dtype: 'F64', shape: [2], bytes: f64([0.1, -2.5]), want: [0.1, -2.5] },
  // binary16 0x3c00 = 1, 0xc000 = -2, 0x3555 = 0.333251953125 (1 + 341/1024) / 4
  { name: 'f16', dtype: 'F16', shape: [3], bytes: [0x00, 0x3c, 0x00, 0xc0, 0x55, 0x35], want: [1, -2, 0.333251953125] },
  // bfloat16 0x3f80 = 1, 0x4040 = 3
  { name: 'bf16', dtype: 'BF16', shape: [2], bytes: [0x80, 0x3f, 0x40, 0x40], want: [1, 3] },
  { name: 'i64', dtype: 'I64', shape: [1], bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], want: [-1n] },
  { name: 'i32', dtype: 'I32', shape: [2], bytes: [0x07, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff], want: [7, -2] },
  { name: 'i16', dtype: 'I16', shape: [2], bytes: [0x00, 0x01, 0xff, 0xff], want: [256, -1] },
  { name: 'i8', dtype: 'I8', shape: [3], bytes: [0x05, 0xfb, 0x80], want: [5, -5, -128] },
  { name: 'u8', dtype: 'U8', shape: [2], bytes: [0xfa, 0x01], want: [250, 1] },
  { name: 'bool', dtype: 'BOOL', shape: [2], bytes: [1, 0], want: [1, 0] },
];

function f32(values: number[]): number[] {
  const view = new DataView(new ArrayBuffer(4 * values.length));
  values.forEach((v, i) => {
    view.setFloat32(4 * i, v, true);
  });
  return Array.from(new Uint8Array(view.buffer));
}

function f64(values: number[]): number[] {
  const view = new DataView(new ArrayBuffer(8 * values.length));
  values.forEach((v, i) => {
    view.setFloat64(8 * i, v, true);
  });
  return Array.from(new Uint8Array(view.buffer));
}

/** The safetensors file of CASES, in the order listed (odd-sized tensors make later offsets unaligned). */
function handBuiltFile(): Uint8Array {
  const header: Record<string, unknown> = {};
  const data: number[] = [];
  for (const c of CASES) {
    header[c.name] = { dtype: c.dtype, shape: c.shape, data_offsets: [data.length, data.length + c.bytes.length] };
    data.push(...c.bytes);
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function expectAllCases(decoded: ReturnType<typeof decodeSafetensors>): void {
  for (const c of CASES) {
    const entry = decoded.tensors[c.name];
    expect(entry?.dtype, c.name).toBe(c.dtype);
    expect(entry?.shape, c.name).toEqual(c.shape);
    expect(Array.from((entry?.data ?? []) as ArrayLike<number | bigint>), c.name).toEqual(c.want);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'peftjs-byte-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('decodeSafetensors honours byteOffset and byteLength', () => {
  it('reads a pooled Buffer from fs.readFileSync (the file of issue 15: w = F32 [1, 2, 3, 4])', () => {
    const path = join(dir, 'w.safetensors');
    const json = '{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}';
    const file = new Uint8Array(8 + json.length + 16);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
    file.set(new TextEncoder().encode(json), 8);
    file.set(f32([1, 2, 3, 4]), 8 + json.length);
    writeFileSync(path, file);
    readFileSync(path); // take a slot in the pool, so the next Buffer starts past offset 0
    const buffer = readFileSync(path);
    expect(buffer.byteOffset).toBeGreaterThan(0); // the case the bug needs: a view into a larger pool
    expect(buffer.buffer.byteLength).toBeGreaterThan(buffer.byteLength);
    expect(Array.from(decodeSafetensors(buffer).tensors.w?.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('reads every dtype from a pooled Buffer', () => {
    const path = join(dir, 'all.safetensors');
    writeFileSync(path, handBuiltFile());
    readFileSync(path);
    const buffer = readFileSync(path);
    expect(buffer.byteOffset).toBeGreaterThan(0);
    expectAllCases(decodeSafetensors(buffer));
  });

  it.each([1, 3, 8, 13])(
    'reads every dtype from a Uint8Array subarray at offset %i, with junk on both sides',
    (offset) => {
      const file = handBuiltFile();
      const big = new Uint8Array(offset + file.length + 11).fill(0xee);
      big.set(file, offset);
      expectAllCases(decodeSafetensors(big.subarray(offset, offset + file.length)));
    },
  );

  it('reads every dtype from a Buffer subarray at an odd offset (Buffer.slice is a view, not a copy)', () => {
    const file = handBuiltFile();
    const big = Buffer.concat([Buffer.from([9, 9, 9, 9, 9]), Buffer.from(file), Buffer.from([7, 7, 7])]);
    const view = big.subarray(5, 5 + file.length);
    expect(view.byteOffset).toBeGreaterThan(0);
    expectAllCases(decodeSafetensors(view));
  });

  it('never aliases the input: changing the bytes afterwards leaves the tensors as decoded', () => {
    const file = handBuiltFile();
    const view = Buffer.from(file).subarray(0);
    const decoded = decodeSafetensors(view);
    view.fill(0);
    expectAllCases(decoded);
  });
});
