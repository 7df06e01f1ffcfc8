import { assertFinite, decodeSafetensors, encodeSafetensors, type TensorEntry } from '@peftjs/core';

import { IncrementalPCA } from './incremental-pca';

const FORMAT = 'peftjs/incremental-pca';

/**
 * Encodes a fitted state as safetensors bytes. Tensors: `components` `[k, d]` F32,
 * `singular_values`, `explained_variance`, `explained_variance_ratio` `[k]` F64, `mean` and `var`
 * `[d]` F64. Metadata (strings): `format`, `samples_seen`, `k`, `n_features`, `solver`,
 * `noise_variance`, `clamped`, `options` and `rng` (JSON). `decodeIncrementalPCA` restores it exactly.
 */
export function encodeIncrementalPCA(pca: IncrementalPCA): Uint8Array {
  const json = pca.toJSON();
  const state = json.state;
  if (state === null)
    throw new Error('encodeIncrementalPCA: the state is empty; call partialFit at least once before saving');
  const { effectiveComponents: k, nFeatures: d } = state;
  const tensors: Record<string, TensorEntry> = {
    components: { dtype: 'F32', shape: [k, d], data: Float32Array.from(state.components) },
    singular_values: { dtype: 'F64', shape: [k], data: Float64Array.from(state.singularValues) },
    explained_variance: { dtype: 'F64', shape: [k], data: Float64Array.from(state.explainedVariance) },
    explained_variance_ratio: { dtype: 'F64', shape: [k], data: Float64Array.from(state.explainedVarianceRatio) },
    mean: { dtype: 'F64', shape: [d], data: Float64Array.from(state.mean) },
    var: { dtype: 'F64', shape: [d], data: Float64Array.from(state.variance) },
  };
  return encodeSafetensors(tensors, {
    format: FORMAT,
    samples_seen: String(state.samplesSeen),
    k: String(k),
    n_features: String(d),
    solver: json.options.solver,
    noise_variance: String(state.noiseVariance),
    clamped: String(state.clamped),
    options: JSON.stringify(json.options),
    rng: JSON.stringify(json.rng),
  });
}

/** Restores an `IncrementalPCA` written by `encodeIncrementalPCA`, checking every tensor's shape. */
export function decodeIncrementalPCA(bytes: Uint8Array): IncrementalPCA {
  const { tensors, metadata } = decodeSafetensors(bytes);
  const where = 'decodeIncrementalPCA';
  if (metadata.format !== FORMAT) {
    throw new Error(
      `${where}: metadata "format" is ${JSON.stringify(metadata.format)}, expected "${FORMAT}"; was this file written by encodeIncrementalPCA?`,
    );
  }
  const k = Number(metadata.k);
  const d = Number(metadata.n_features);
  const read = (name: string, dtype: 'F32' | 'F64', shape: number[]): number[] => {
    const entry = tensors[name];
    if (entry === undefined) throw new Error(`${where}: tensor "${name}" is missing`);
    if (entry.dtype !== dtype || entry.shape.join(',') !== shape.join(',')) {
      throw new Error(
        `${where}: tensor "${name}" is ${entry.dtype} [${entry.shape.join(', ')}], expected ${dtype} [${shape.join(', ')}]`,
      );
    }
    const values = Array.from(entry.data, Number);
    // a NaN or an infinity in a saved state would turn every later component into NaN
    assertFinite(
      values,
      `${where}: tensor "${name}"`,
      'the state was saved from a diverged fit or the file is corrupt; recompute it',
    );
    return values;
  };
  return IncrementalPCA.fromJSON({
    format: FORMAT,
    version: 1,
    options: parseJsonField(metadata.options, 'options', where),
    rng: parseJsonField(metadata.rng, 'rng', where),
    state: {
      nFeatures: d,
      effectiveComponents: k,
      clamped: metadata.clamped === 'true',
      samplesSeen: Number(metadata.samples_seen),
      components: read('components', 'F32', [k, d]),
      singularValues: read('singular_values', 'F64', [k]),
      explainedVariance: read('explained_variance', 'F64', [k]),
      explainedVarianceRatio: read('explained_variance_ratio', 'F64', [k]),
      mean: read('mean', 'F64', [d]),
      variance: read('var', 'F64', [d]),
      noiseVariance: Number(metadata.noise_variance),
    },
  });
}

function parseJsonField<T>(text: string | undefined, field: string, where: string): T {
  if (text === undefined) throw new Error(`${where}: metadata "${field}" is missing`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(
      `${where}: metadata "${field}" is not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
