import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from './decode';
import type { TensorEntry } from './dtypes';
import { encodeSafetensors } from './encode';
import { SafetensorsError } from './errors';
import { readSafetensorsFile, SafetensorsFile } from './safetensors-file';
import { writeSafetensorsFile } from './write-file';

/** A tensor's elements as a plain array (typed-array unions do not fit Array.from's overloads). */
const values = (t: TensorEntry | undefined): (number | bigint)[] =>
  Array.from((t?.data ?? []) as ArrayLike<number | bigint>);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'peftjs-safetensors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tensors: Record<string, TensorEntry> = {
  'h.0.attn.weight': { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
  'h.0.attn.bias': { dtype: 'F16', shape: [3], data: Float32Array.from([0.5, -1, 1e-5]) },
  step: { dtype: 'I64', shape: [], data: BigInt64Array.from([123n]) },
  mask: { dtype: 'BOOL', shape: [2], data: Uint8Array.from([1, 0]) },
};

describe('safetensors files', () => {
  it('writeSafetensorsFile writes exactly encodeSafetensors bytes, atomically, leaving no temp file', async () => {
    const path = join(dir, 'model.safetensors');
    await writeSafetensorsFile(path, tensors, { format: 'pt' });
    const onDisk = new Uint8Array(await readFile(path));
    expect(Buffer.from(onDisk).equals(Buffer.from(encodeSafetensors(tensors, { format: 'pt' })))).toBe(true);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('a failed write leaves the previous file untouched and no temp file behind', async () => {
    const path = join(dir, 'keep.safetensors');
    await writeSafetensorsFile(path, tensors);
    const before = await readFile(path);
    const bad = { ...tensors, broken: { dtype: 'F32', shape: [5], data: new Float32Array(2) } } satisfies Record<
      string,
      TensorEntry
    >;
    await expect(writeSafetensorsFile(path, bad)).rejects.toMatchObject({
      kind: 'SHAPE_MISMATCH',
      code: 'E_SAFETENSORS_SHAPE_MISMATCH',
    });
    await expect(writeSafetensorsFile(join(dir, 'no-such-dir', 'x.safetensors'), tensors)).rejects.toMatchObject({
      code: 'ENOENT',
    });
    expect((await readFile(path)).equals(before)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('readSafetensorsFile returns what decodeSafetensors returns for the same bytes', async () => {
    const path = join(dir, 'model.safetensors');
    const fromFile = await readSafetensorsFile(path);
    const fromBytes = decodeSafetensors(new Uint8Array(await readFile(path)));
    expect(fromFile).toEqual(fromBytes);
    expect(fromFile.metadata).toEqual({ format: 'pt' });
    expect(values(fromFile.tensors['h.0.attn.weight'])).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('SafetensorsFile reads only the header on open and one tensor per read', async () => {
    const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
    try {
      // Data order: I64, F32, F16, BOOL (descending alignment, then name).
      expect(file.keys()).toEqual(['step', 'h.0.attn.weight', 'h.0.attn.bias', 'mask']);
      expect(file.metadata).toEqual({ format: 'pt' });
      expect(file.info('h.0.attn.bias')).toEqual({ dtype: 'F16', shape: [3], byteLength: 6 });
      const bias = await file.read('h.0.attn.bias');
      expect(bias.dtype).toBe('F16');
      expect(values(bias)).toEqual([0.5, -1, 0.000010013580322265625]); // 1e-5 rounded to binary16
      expect(values(await file.read('step'))).toEqual([123n]);
      expect(() => file.info('nope')).toThrow(SafetensorsError);
      await expect(file.read('nope')).rejects.toMatchObject({
        kind: 'UNKNOWN_TENSOR',
        code: 'E_SAFETENSORS_UNKNOWN_TENSOR',
      });
    } finally {
      await file.close();
    }
    await expect(file.read('step')).rejects.toMatchObject({ kind: 'CLOSED', code: 'E_SAFETENSORS_CLOSED' });
    await file.close(); // closing twice is harmless
  });

  it('validates the header against the real file size: truncated, too-large claims, trailing bytes', async () => {
    const source = join(dir, 'model.safetensors');
    const bytes = new Uint8Array(await readFile(source));
    const cut = join(dir, 'cut.safetensors');
    await writeFile(cut, bytes);
    await truncate(cut, bytes.length - 1);
    await expect(SafetensorsFile.open(cut)).rejects.toMatchObject({
      kind: 'TRUNCATED',
      code: 'E_SAFETENSORS_TRUNCATED',
    });
    await truncate(cut, 3);
    await expect(readSafetensorsFile(cut)).rejects.toMatchObject({
      kind: 'TRUNCATED',
      code: 'E_SAFETENSORS_TRUNCATED',
    });
    const huge = bytes.slice();
    new DataView(huge.buffer).setBigUint64(0, 5_000_000_000n, true);
    await writeFile(cut, huge);
    await expect(SafetensorsFile.open(cut)).rejects.toMatchObject({
      kind: 'HEADER_TOO_LARGE',
      code: 'E_SAFETENSORS_HEADER_TOO_LARGE',
    });
    await writeFile(cut, Buffer.concat([bytes, Buffer.from([0])]));
    await expect(SafetensorsFile.open(cut)).rejects.toMatchObject({
      kind: 'TRAILING_DATA',
      code: 'E_SAFETENSORS_TRAILING_DATA',
    });
  });

  it('reads the Python-layout fixture', async () => {
    const fixture = new URL('../../test/fixtures/python-layout.safetensors', import.meta.url);
    const file = await SafetensorsFile.open(fileURLToPath(fixture));
    try {
      expect(file.keys()).toHaveLength(15);
      const f64 = await file.read('a.f64');
      expect(f64.data).toBeInstanceOf(Float64Array);
      expect(f64.data[5]).toBe(Math.PI);
    } finally {
      await file.close();
    }
  });
});
