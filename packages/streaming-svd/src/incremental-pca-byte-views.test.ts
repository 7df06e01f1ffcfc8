import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, isPeftjsError, Rng, setBackend } from '@peftjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { IncrementalPCA } from './incremental-pca';
import { decodeIncrementalPCA, encodeIncrementalPCA } from './incremental-pca-safetensors';

// Issue 15, "byte views": the PCA-state decoder must read only the bytes its argument views, whether
// that is a pooled Node Buffer (fs.readFileSync) or a subarray at a non-zero offset. The right value
// is the state that was written: the decoded copy must equal it field for field.

beforeAll(async () => {
  await setBackend('wasm');
});

const dir = mkdtempSync(join(tmpdir(), 'peftjs-pca-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fitted(): IncrementalPCA {
  const rng = new Rng('views');
  const pca = new IncrementalPCA({ nComponents: 3, solver: 'exact', seed: 'views' });
  for (let b = 0; b < 2; b++) pca.partialFit(rng.normalArray(10 * 6, 1, 3), { rows: 10, cols: 6 });
  return pca;
}

describe('decodeIncrementalPCA honours byteOffset and byteLength', () => {
  it('restores the state from a pooled Buffer read with fs.readFileSync', () => {
    const pca = fitted();
    const path = join(dir, 'pca.safetensors');
    writeFileSync(path, encodeIncrementalPCA(pca));
    readFileSync(path); // occupy the start of the pool
    const buffer = readFileSync(path);
    expect(buffer.byteOffset).toBeGreaterThan(0);
    expect(decodeIncrementalPCA(buffer).toJSON()).toEqual(pca.toJSON());
  });

  it.each([1, 6, 7])('restores the state from a subarray at offset %i with other bytes on both sides', (offset) => {
    const pca = fitted();
    const bytes = encodeIncrementalPCA(pca);
    const big = new Uint8Array(offset + bytes.length + 9).fill(0x41);
    big.set(bytes, offset);
    expect(decodeIncrementalPCA(big.subarray(offset, offset + bytes.length)).toJSON()).toEqual(pca.toJSON());
    const pooled = Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(bytes), Buffer.alloc(3, 0x42)]);
    expect(decodeIncrementalPCA(pooled.subarray(offset, offset + bytes.length)).toJSON()).toEqual(pca.toJSON());
  });
});

describe('decodeIncrementalPCA refuses non-finite states', () => {
  it('an infinite singular value is a NonFiniteError naming the tensor', () => {
    const { tensors, metadata } = decodeSafetensors(encodeIncrementalPCA(fitted()));
    (tensors.singular_values!.data as Float64Array)[1] = Number.POSITIVE_INFINITY;
    let error: unknown;
    try {
      decodeIncrementalPCA(encodeSafetensors(tensors, metadata));
    } catch (e) {
      error = e;
    }
    expect(isPeftjsError(error) && error.code).toBe('E_NON_FINITE');
    expect((error as Error).message).toMatch(
      /^decodeIncrementalPCA: tensor "singular_values" holds 1 NaN or infinite value/,
    );
  });
});
