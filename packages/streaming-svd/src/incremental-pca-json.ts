import type { RngState } from '@peftjs/core';

import { resolveIncrementalPCAOptions, type ResolvedIncrementalPCAOptions } from './incremental-pca-options';

/** The fitted part of an `IncrementalPCA` (float64 arrays stay float64, components float32). */
export interface IncrementalPCAState {
  /** Width `d` of the rows fitted (sklearn `n_features_in_`). */
  readonly nFeatures: number;
  /** Components kept, `k = min(nComponents, nFeatures)`. */
  readonly effectiveComponents: number;
  /** True when `nComponents` exceeded the width and was clamped to it. */
  readonly clamped: boolean;
  /** Rows fitted so far (sklearn `n_samples_seen_`). */
  readonly samplesSeen: number;
  /** `[effectiveComponents, nFeatures]` row-major. */
  readonly components: Float32Array;
  /** Singular values of the centred data, `[k]` descending (sklearn `singular_values_`). */
  readonly singularValues: Float64Array;
  /** `S^2 / (samplesSeen - 1)`, `[k]` (sklearn `explained_variance_`). */
  readonly explainedVariance: Float64Array;
  /** Each component's share of the total variance, `[k]` (sklearn `explained_variance_ratio_`). */
  readonly explainedVarianceRatio: Float64Array;
  /** Column means, `[d]` (sklearn `mean_`). */
  readonly mean: Float64Array;
  /** Population variance per column, `[d]` (sklearn `var_`). */
  readonly variance: Float64Array;
  /** Mean explained variance of the discarded directions of the last update (sklearn `noise_variance_`). */
  readonly noiseVariance: number;
}

/** Plain-JSON form of an `IncrementalPCA`: numbers only, so `JSON.stringify`/`parse` is exact. */
export interface IncrementalPCAJSON {
  /** Always `'peftjs/incremental-pca'`. */
  readonly format: 'peftjs/incremental-pca';
  /** Format version; this build reads and writes 1. */
  readonly version: 1;
  /** The options the decomposer was built with, defaults filled in. */
  readonly options: ResolvedIncrementalPCAOptions;
  /** State of the randomized solver's generator, so a restored state continues identically. */
  readonly rng: RngState;
  /** The fitted state with plain arrays (fields as in {@link IncrementalPCAState}); null before the first fit. */
  readonly state: null | {
    /** Width `d`. */
    readonly nFeatures: number;
    /** Components kept, `k`. */
    readonly effectiveComponents: number;
    /** Whether `nComponents` was clamped to `d`. */
    readonly clamped: boolean;
    /** Rows fitted so far. */
    readonly samplesSeen: number;
    /** `[k, d]` row-major. */
    readonly components: number[];
    /** `[k]`, descending. */
    readonly singularValues: number[];
    /** `[k]`, `S^2 / (samplesSeen - 1)`. */
    readonly explainedVariance: number[];
    /** `[k]`, shares of the total variance. */
    readonly explainedVarianceRatio: number[];
    /** `[d]` column means. */
    readonly mean: number[];
    /** `[d]` population variances. */
    readonly variance: number[];
    /** sklearn's `noise_variance_`. */
    readonly noiseVariance: number;
  };
}

export function stateToJSON(state: IncrementalPCAState | null): IncrementalPCAJSON['state'] {
  if (state === null) return null;
  return {
    nFeatures: state.nFeatures,
    effectiveComponents: state.effectiveComponents,
    clamped: state.clamped,
    samplesSeen: state.samplesSeen,
    components: Array.from(state.components),
    singularValues: Array.from(state.singularValues),
    explainedVariance: Array.from(state.explainedVariance),
    explainedVarianceRatio: Array.from(state.explainedVarianceRatio),
    mean: Array.from(state.mean),
    variance: Array.from(state.variance),
    noiseVariance: state.noiseVariance,
  };
}

/** Validates a JSON state (sizes, types) and converts it back to typed arrays. */
export function parseIncrementalPCAJSON(json: IncrementalPCAJSON): {
  options: ResolvedIncrementalPCAOptions;
  rng: RngState;
  state: IncrementalPCAState | null;
} {
  const where = 'IncrementalPCA.fromJSON';
  if (json === null || typeof json !== 'object' || json.format !== 'peftjs/incremental-pca') {
    throw new TypeError(
      `${where}: expected an object with format "peftjs/incremental-pca" (from toJSON()), got ${describe(json)}`,
    );
  }
  if (json.version !== 1)
    throw new RangeError(`${where}: unsupported version ${String(json.version)}; this build reads version 1`);
  const options = resolveIncrementalPCAOptions(json.options);
  const rng = json.rng;
  if (rng === null || typeof rng !== 'object' || !Array.isArray(rng.s) || rng.s.length !== 4) {
    throw new TypeError(`${where}: field "rng" must be { s: [4 integers], spareNormal }`);
  }
  const raw = json.state;
  if (raw === null) return { options, rng, state: null };
  const { nFeatures: d, effectiveComponents: k, samplesSeen } = raw;
  if (!Number.isInteger(d) || d < 1 || !Number.isInteger(k) || k < 1 || k > d || !(samplesSeen >= 1)) {
    throw new RangeError(
      `${where}: state needs integers nFeatures >= 1, 1 <= effectiveComponents <= nFeatures and samplesSeen >= 1`,
    );
  }
  const take = (field: keyof typeof raw, length: number): number[] => {
    const value = raw[field];
    if (!Array.isArray(value) || value.length !== length || !value.every((x) => typeof x === 'number')) {
      throw new RangeError(`${where}: state.${String(field)} must be an array of ${length} numbers`);
    }
    return value;
  };
  const state: IncrementalPCAState = {
    nFeatures: d,
    effectiveComponents: k,
    clamped: raw.clamped === true,
    samplesSeen,
    components: Float32Array.from(take('components', k * d)),
    singularValues: Float64Array.from(take('singularValues', k)),
    explainedVariance: Float64Array.from(take('explainedVariance', k)),
    explainedVarianceRatio: Float64Array.from(take('explainedVarianceRatio', k)),
    mean: Float64Array.from(take('mean', d)),
    variance: Float64Array.from(take('variance', d)),
    noiseVariance: Number(raw.noiseVariance),
  };
  return { options, rng, state };
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return String(value);
  const format = (value as { format?: unknown }).format;
  return format === undefined ? 'an object without "format"' : `format ${JSON.stringify(format)}`;
}
