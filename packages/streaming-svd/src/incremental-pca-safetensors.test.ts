import { decodeSafetensors, encodeSafetensors, Rng, setBackend } from '@peftjs/core';
import { beforeAll, describe, expect, it } from 'vitest';

import { IncrementalPCA } from './incremental-pca';
import { decodeIncrementalPCA, encodeIncrementalPCA } from './incremental-pca-safetensors';

beforeAll(async () => {
  await setBackend('wasm');
});

function fitted(solver: 'exact' | 'randomized'): IncrementalPCA {
  const rng = new Rng('st');
  const pca = new IncrementalPCA({ nComponents: 3, solver, seed: 'st' });
  for (let b = 0; b < 2; b++) pca.partialFit(rng.normalArray(20 * 12, 7, 2), { rows: 20, cols: 12 });
  return pca;
}

describe('IncrementalPCA safetensors', () => {
  it('writes the documented tensors, dtypes, shapes and metadata', () => {
    const pca = fitted('randomized');
    const { tensors, metadata } = decodeSafetensors(encodeIncrementalPCA(pca));
    const layout = Object.fromEntries(
      Object.entries(tensors).map(([name, t]) => [name, `${t.dtype} [${t.shape.join(',')}]`]),
    );
    expect(layout).toEqual({
      components: 'F32 [3,12]',
      singular_values: 'F64 [3]',
      explained_variance: 'F64 [3]',
      explained_variance_ratio: 'F64 [3]',
      mean: 'F64 [12]',
      var: 'F64 [12]',
    });
    expect(Array.from(tensors.components!.data, Number)).toEqual(Array.from(pca.components));
    expect(Array.from(tensors.var!.data, Number)).toEqual(Array.from(pca.variance));
    expect(metadata).toMatchObject({
      format: 'peftjs/incremental-pca',
      samples_seen: '40',
      k: '3',
      n_features: '12',
      solver: 'randomized',
    });
  });

  it.each(['exact', 'randomized'] as const)(
    'round-trips a %s state exactly, and the copy continues identically',
    (solver) => {
      const pca = fitted(solver);
      const copy = decodeIncrementalPCA(encodeIncrementalPCA(pca));
      expect(copy.toJSON()).toEqual(pca.toJSON());
      const next = new Rng('next').normalArray(20 * 12, 7, 2);
      pca.partialFit(next, { rows: 20, cols: 12 });
      copy.partialFit(next, { rows: 20, cols: 12 });
      expect(copy.toJSON()).toEqual(pca.toJSON());
    },
  );

  it('refuses empty states and files of another kind', () => {
    expect(() => encodeIncrementalPCA(new IncrementalPCA({ nComponents: 2 }))).toThrow(/state is empty/);
    const other = encodeSafetensors(
      { w: { dtype: 'F32', shape: [1], data: Float32Array.from([1]) } },
      { format: 'pt' },
    );
    expect(() => decodeIncrementalPCA(other)).toThrow(/metadata "format" is "pt", expected "peftjs\/incremental-pca"/);
  });
});
