import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '@peftjs/core';

import {
  parseIncrementalPCAJSON,
  stateToJSON,
  type IncrementalPCAJSON,
  type IncrementalPCAState,
} from './incremental-pca-json';
import {
  resolveIncrementalPCAOptions,
  type IncrementalPCAOptions,
  type ResolvedIncrementalPCAOptions,
} from './incremental-pca-options';
import {
  centreBatch,
  combineMeanAndVariance,
  updateMeanAndVarianceFromMoments,
  type ColumnStats,
} from './incremental-stats';
import { assertFinite, readRowBatch } from './matrix-input';
import type { TopSingular } from './rayleigh-ritz';
import { flipSignsByLargestEntry } from './small-linalg';
import { selectSolver } from './solver-registry';
import type {
  MatrixInput,
  MatrixShape,
  PartialFitResult,
  SolverName,
  StreamingDecomposer,
} from './streaming-decomposer';

/** What one decomposition of a stacked matrix produced, before it becomes the new state. */
interface Update {
  readonly state: IncrementalPCAState;
  readonly solver: SolverName;
}

/**
 * Incremental PCA following scikit-learn's `IncrementalPCA.partial_fit` (Ross et al. 2008):
 * running float64 mean and variance, and per batch the SVD of the stacked matrix
 *
 *   M = [ diag(S) V ;  X - mean(X) ;  sqrt(N n / N') (mean_old - mean(X)) ]     [k + n + 1, d]
 *
 * with sklearn's sign convention (`svd_flip(u_based_decision=False)`). The `O(n d k)` work runs on
 * the active tfjs backend; only `q x q` problems run in float64 JS. No tensor outlives a call.
 *
 * @example
 * const pca = new IncrementalPCA({ nComponents: 8 });
 * pca.partialFit(batch, { rows: 50, cols: 64 }); // -> { status: 'fitted', ... }
 */
export class IncrementalPCA implements StreamingDecomposer<IncrementalPCAJSON, IncrementalPCA> {
  /** The options, defaults filled in. */
  readonly options: ResolvedIncrementalPCAOptions;
  private readonly rng: Rng;
  private state: IncrementalPCAState | null = null;
  /** The stacked matrix's buffer, reused across updates (it is copied into a tensor and never escapes). */
  private scratch = new Float32Array(0);

  constructor(options: IncrementalPCAOptions) {
    this.options = resolveIncrementalPCAOptions(options);
    this.rng = new Rng(this.options.seed);
  }

  /** Restores a state written by `toJSON()`, exactly (random generator included). */
  static fromJSON(json: IncrementalPCAJSON): IncrementalPCA {
    const parsed = parseIncrementalPCAJSON(json);
    const pca = new IncrementalPCA(parsed.options);
    pca.rng.setState(parsed.rng);
    pca.state = parsed.state;
    return pca;
  }

  get nComponents(): number {
    return this.options.nComponents;
  }
  get effectiveComponents(): number {
    return this.state?.effectiveComponents ?? this.options.nComponents;
  }
  /** True when `nComponents` exceeded the width and was clamped to it. */
  get clamped(): boolean {
    return this.state?.clamped ?? false;
  }
  get nFeatures(): number {
    return this.state?.nFeatures ?? 0;
  }
  get samplesSeen(): number {
    return this.state?.samplesSeen ?? 0;
  }
  get components(): Float32Array {
    return this.state === null ? new Float32Array(0) : this.state.components.slice();
  }
  get singularValues(): Float64Array {
    return this.state === null ? new Float64Array(0) : this.state.singularValues.slice();
  }
  /** `S^2 / (samplesSeen - 1)`. */
  get explainedVariance(): Float64Array {
    return this.state === null ? new Float64Array(0) : this.state.explainedVariance.slice();
  }
  get explainedVarianceRatio(): Float64Array {
    return this.state === null ? new Float64Array(0) : this.state.explainedVarianceRatio.slice();
  }
  /** A copy of the column means `[nFeatures]` (sklearn `mean_`); empty before the first fit. */
  get mean(): Float64Array {
    return this.state === null ? new Float64Array(0) : this.state.mean.slice();
  }
  /** Population variance per column (sklearn `var_`). */
  get variance(): Float64Array {
    return this.state === null ? new Float64Array(0) : this.state.variance.slice();
  }
  /** Mean explained variance of the discarded directions of the last update (sklearn `noise_variance_`). */
  get noiseVariance(): number {
    return this.state?.noiseVariance ?? 0;
  }

  /** A new `[k, d]` tensor of the components; the caller owns (and disposes) it. */
  componentsTensor(): tf.Tensor2D {
    if (this.state === null)
      throw new Error('IncrementalPCA.componentsTensor: nothing fitted yet; call partialFit first');
    return tf.tensor2d(this.state.components, [this.state.effectiveComponents, this.state.nFeatures]);
  }

  /**
   * Folds a batch `[n, d]` into the state (sklearn `partial_fit`). Throws when the width changes or
   * rows hold NaN/Infinity. Returns `{ status: 'too-few-rows', rows, needed }` without touching the
   * state where scikit-learn raises: a first batch with `n < effectiveComponents`, or an empty batch.
   * After the first fit a batch of any size `n >= 1` is folded in, as scikit-learn >= 1.6 does
   * (PR #30224: the stacked matrix has `k + n + 1 >= k` rows, so Ross et al.'s update needs no bound
   * on `n`). A caller with its own minimum (EVA skips batches with fewer rows than `k`) checks it first.
   */
  partialFit(x: MatrixInput, shape?: MatrixShape): PartialFitResult {
    const batch = readRowBatch(x, shape, 'IncrementalPCA.partialFit', false);
    const { data, rows: n, cols: d } = batch;
    const old = this.state;
    if (old !== null && old.nFeatures !== d) {
      throw new RangeError(
        `IncrementalPCA.partialFit: batch has ${d} columns but the state was fitted on ${old.nFeatures}; every batch must have the same width`,
      );
    }
    const k = Math.min(this.options.nComponents, d);
    // scikit-learn >= 1.6: `n_components <= n_samples` is checked on the first call only.
    if (old === null && n < k) return { status: 'too-few-rows', rows: n, needed: k };
    if (n === 0) return { status: 'too-few-rows', rows: 0, needed: 1 };

    const kOld = old === null ? 0 : old.effectiveComponents;
    const m = old === null ? n : kOld + n + 1;
    if (this.scratch.length < m * d) this.scratch = new Float32Array(m * d);
    const stacked = this.scratch.subarray(0, m * d); // every entry is written below
    // X - mean(X) [n, d], written straight into the stacked matrix (first batch: mean(X) is the mean)
    const moments = centreBatch(data, n, d, stacked, kOld * d);
    if (moments === null) {
      assertFinite(batch, 'IncrementalPCA.partialFit'); // throws with the count of bad rows
      throw new RangeError(
        'IncrementalPCA.partialFit: the batch holds NaN or Infinity; drop or impute those rows before fitting',
      );
    }
    const stats = updateMeanAndVarianceFromMoments(old === null ? null : statsOf(old), moments);
    let frobenius = moments.centredSquaredNorm; // ||M||_F^2, for the noise variance
    if (old !== null) {
      frobenius += fillScaledComponents(stacked, 0, old); // diag(S) V                      [k, d]
      const c = Math.sqrt((old.samplesSeen / stats.count) * n); // mean correction        [1, d]
      const last = (kOld + n) * d;
      for (let j = 0; j < d; j++) {
        const v = c * ((old.mean[j] as number) - (moments.sum[j] as number) / n);
        stacked[last + j] = v;
        frobenius += v * v;
      }
    }
    const update = this.decompose(stacked, m, d, k, stats, n, frobenius, this.rng, old);
    this.state = update.state;
    const clamped = update.state.clamped;
    return {
      status: 'fitted',
      rows: n,
      samplesSeen: stats.count,
      solver: update.solver,
      effectiveComponents: k,
      clamped,
      warning: clamped ? clampWarning(this.options.nComponents, d) : null,
    };
  }

  /**
   * sklearn `fit`: resets the state and folds `x` in batches of `batchSize` rows (default
   * `5 d`, as sklearn), a short last batch being joined to the previous one (`gen_batches` with
   * `min_batch_size = k`).
   */
  fit(x: MatrixInput, shape?: MatrixShape, options: { batchSize?: number } = {}): PartialFitResult {
    const batch = readRowBatch(x, shape, 'IncrementalPCA.fit');
    const { data, rows, cols } = batch;
    const batchSize = options.batchSize ?? 5 * cols;
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new RangeError(`IncrementalPCA.fit: batchSize must be an integer >= 1, got ${batchSize}`);
    this.state = null;
    this.rng.setState(new Rng(this.options.seed).getState());
    const minBatch = Math.min(this.options.nComponents, cols);
    let result: PartialFitResult = { status: 'too-few-rows', rows, needed: minBatch };
    let start = 0;
    for (let b = 0; b < Math.floor(rows / batchSize); b++) {
      const end = start + batchSize;
      if (end + minBatch > rows) continue;
      result = this.partialFit(data.subarray(start * cols, end * cols), { rows: end - start, cols });
      start = end;
    }
    if (start < rows) result = this.partialFit(data.subarray(start * cols, rows * cols), { rows: rows - start, cols });
    return result;
  }

  /**
   * A new state equal to fitting the union of this state's rows and `other`'s (neither changes):
   * Chan's formula for mean/variance, and the stacked matrix
   * `[diag(S_a) V_a ; diag(S_b) V_b ; sqrt(N_a N_b / N) (mean_a - mean_b)]`. Keeps this state's options.
   */
  merge(other: IncrementalPCA): IncrementalPCA {
    const a = this.state;
    const b = other.state;
    const out = new IncrementalPCA(this.options);
    out.rng.setState(this.rng.getState());
    if (a === null || b === null) {
      out.state = a !== null ? copyState(a) : b !== null ? copyState(b) : null;
      return out;
    }
    if (a.nFeatures !== b.nFeatures) {
      throw new RangeError(
        `IncrementalPCA.merge: states have widths ${a.nFeatures} and ${b.nFeatures}; only states of the same width merge`,
      );
    }
    const d = a.nFeatures;
    const stats = combineMeanAndVariance(statsOf(a), statsOf(b));
    const m = a.effectiveComponents + b.effectiveComponents + 1;
    const stacked = new Float32Array(m * d);
    let frobenius = fillScaledComponents(stacked, 0, a);
    frobenius += fillScaledComponents(stacked, a.effectiveComponents * d, b);
    const c = Math.sqrt((a.samplesSeen * b.samplesSeen) / stats.count);
    const last = (m - 1) * d;
    for (let j = 0; j < d; j++) {
      const v = c * ((a.mean[j] as number) - (b.mean[j] as number));
      stacked[last + j] = v;
      frobenius += v * v;
    }
    const k = Math.min(this.options.nComponents, d);
    out.state = this.decompose(stacked, m, d, k, stats, Number.NaN, frobenius, out.rng, a).state;
    return out;
  }

  /** Plain JSON (numbers only); `IncrementalPCA.fromJSON(pca.toJSON())` restores it exactly. */
  toJSON(): IncrementalPCAJSON {
    const { s, spareNormal } = this.rng.getState();
    const words: [number, number, number, number] = [s[0] >>> 0, s[1] >>> 0, s[2] >>> 0, s[3] >>> 0];
    return {
      format: 'peftjs/incremental-pca',
      version: 1,
      options: { ...this.options },
      rng: { s: words, spareNormal },
      state: stateToJSON(this.state),
    };
  }

  /** A deep copy (state and random generator). */
  clone(): IncrementalPCA {
    return IncrementalPCA.fromJSON(this.toJSON());
  }

  /** SVD of the stacked `[m, d]` matrix on the tfjs backend, then sklearn's bookkeeping. */
  private decompose(
    stacked: Float32Array,
    m: number,
    d: number,
    k: number,
    stats: ColumnStats,
    batchRows: number,
    frobenius: number,
    rng: Rng,
    previous: IncrementalPCAState | null,
  ): Update {
    const solver = selectSolver(this.options.solver, m, d, k, this.options.oversampling);
    const warm = this.options.warmStart && previous !== null;
    const holder: { top?: TopSingular } = {};
    tf.tidy(() => {
      holder.top = solver.solve({
        matrix: tf.tensor2d(stacked, [m, d]),
        components: k,
        warmStart: warm ? previous.components : null,
        warmStartRows: warm ? previous.effectiveComponents : 0,
        oversampling: this.options.oversampling,
        powerIterations: this.options.powerIterations,
        tolerance: this.options.warmStartTolerance,
        rng,
      });
    });
    if (holder.top === undefined) throw new Error('IncrementalPCA: the solver returned nothing');
    const { singularValues, vectors } = holder.top;
    flipSignsByLargestEntry(vectors, k, d);

    // frobenius = ||M||_F^2 = sum of all S^2, for the noise variance
    let total = 0; // sum(var * N'): the denominator of the ratios
    for (let j = 0; j < d; j++) total += (stats.variance[j] as number) * stats.count;
    const explainedVariance = new Float64Array(k);
    const explainedVarianceRatio = new Float64Array(k);
    let kept = 0;
    for (let j = 0; j < k; j++) {
      const s2 = (singularValues[j] as number) ** 2;
      kept += s2;
      explainedVariance[j] = s2 / (stats.count - 1);
      explainedVarianceRatio[j] = s2 / total;
    }
    // sklearn: mean(explained_variance[k:]) unless k equals the batch rows or the width
    const rest = Math.min(m, d) - k;
    const noiseVariance =
      k === batchRows || k === d || rest <= 0 ? 0 : Math.max(frobenius - kept, 0) / (stats.count - 1) / rest;
    return {
      solver: solver.name,
      state: {
        nFeatures: d,
        effectiveComponents: k,
        clamped: this.options.nComponents > d,
        samplesSeen: stats.count,
        components: Float32Array.from(vectors.subarray(0, k * d)),
        singularValues: singularValues.slice(0, k),
        explainedVariance,
        explainedVarianceRatio,
        mean: stats.mean,
        variance: stats.variance,
        noiseVariance,
      },
    };
  }
}

function statsOf(state: IncrementalPCAState): ColumnStats {
  return { mean: state.mean, variance: state.variance, count: state.samplesSeen };
}

/** Rows `diag(S) V` of a state, written at `offset` of `out`; returns their squared Frobenius norm. */
function fillScaledComponents(out: Float32Array, offset: number, state: IncrementalPCAState): number {
  const { effectiveComponents: k, nFeatures: d, components, singularValues } = state;
  let norm = 0;
  for (let i = 0; i < k; i++) {
    const s = singularValues[i] as number;
    for (let j = 0; j < d; j++) {
      const v = s * (components[i * d + j] as number);
      out[offset + i * d + j] = v;
      norm += v * v;
    }
  }
  return norm;
}

function copyState(state: IncrementalPCAState): IncrementalPCAState {
  return {
    ...state,
    components: state.components.slice(),
    singularValues: state.singularValues.slice(),
    explainedVariance: state.explainedVariance.slice(),
    explainedVarianceRatio: state.explainedVarianceRatio.slice(),
    mean: state.mean.slice(),
    variance: state.variance.slice(),
  };
}

function clampWarning(requested: number, d: number): string {
  return `nComponents = ${requested} is larger than the row width d = ${d}; kept ${d} components`;
}
