import type * as tf from '@tensorflow/tfjs-core';

/** Shape of a row-major matrix passed as a flat `Float32Array`. */
export interface MatrixShape {
  /** Number of rows `n`. */
  readonly rows: number;
  /** Number of columns `d`; the array holds `rows * cols` values. */
  readonly cols: number;
}

/** A batch of rows: a `[n, d]` tensor, or a row-major `Float32Array` with its `{ rows, cols }`. */
export type MatrixInput = tf.Tensor2D | Float32Array;

/** Which algorithm decomposes the stacked matrix of one update. */
export type SolverName = 'exact' | 'randomized';

/** `auto` picks `exact` for small problems and `randomized` otherwise (see `IncrementalPCAOptions`). */
export type SolverChoice = SolverName | 'auto';

/** The batch was folded into the state. */
export interface FittedResult {
  /** Discriminant: the batch was used. */
  readonly status: 'fitted';
  /** Rows in this batch. */
  readonly rows: number;
  /** Rows seen so far, this batch included. */
  readonly samplesSeen: number;
  /** The solver that ran (`auto` resolved). */
  readonly solver: SolverName;
  /** Components kept: `min(nComponents, nFeatures)`. */
  readonly effectiveComponents: number;
  /** True when `nComponents` was larger than the width `d` and was clamped to `d`. */
  readonly clamped: boolean;
  /** A human-readable note when something was adjusted (e.g. clamping), else null. */
  readonly warning: string | null;
}

/**
 * The batch was NOT folded in and the state is unchanged: it was the first batch and had fewer rows
 * than components, or it was empty (scikit-learn >= 1.6 raises exactly there; a stream simply skips
 * such a batch). Not an error: check `status`.
 */
export interface TooFewRowsResult {
  /** Discriminant: the batch was skipped. */
  readonly status: 'too-few-rows';
  /** Rows in this batch. */
  readonly rows: number;
  /** Rows this batch needed: the effective number of components for a first batch, 1 afterwards. */
  readonly needed: number;
}

/** What `partialFit` returns; branch on `status`. */
export type PartialFitResult = FittedResult | TooFewRowsResult;

/**
 * The `StreamingDecomposer` plug point: a mergeable, serialisable state that turns a stream of
 * row batches into principal components. Arrays returned are copies owned by the caller; they are
 * empty (length 0) before the first successful `partialFit`.
 *
 * `fromJSON` is a static factory on each implementation (see `StreamingDecomposerFactory`).
 * `Self` is the implementing type, so `merge` takes and returns that type.
 */
export interface StreamingDecomposer<Json = unknown, Self = unknown> {
  /** Requested number of components `k`. */
  readonly nComponents: number;
  /** Components actually kept: `min(k, d)` once the width is known, else `k`. */
  readonly effectiveComponents: number;
  /** Width `d` of the rows, or 0 before the first fit. */
  readonly nFeatures: number;
  /** Row-major `[effectiveComponents, nFeatures]`, rows orthonormal, sign-flipped like sklearn. */
  readonly components: Float32Array;
  /** `[effectiveComponents]`, descending. */
  readonly singularValues: Float64Array;
  /** `[effectiveComponents]`: `S^2 / (total centred variance * samplesSeen)`. */
  readonly explainedVarianceRatio: Float64Array;
  /** Rows folded in so far. */
  readonly samplesSeen: number;
  /**
   * Folds one batch `[n, d]` into the state. Throws on bad input; returns `too-few-rows` for a first
   * batch with `n < k` or an empty batch (scikit-learn >= 1.6 semantics: later batches may be smaller than `k`).
   */
  partialFit(x: MatrixInput, shape?: MatrixShape): PartialFitResult;
  /** A new state equal to fitting the union of both states' rows; neither input changes. */
  merge(other: Self): Self;
  /** Plain JSON; `fromJSON(toJSON())` restores the state exactly. */
  toJSON(): Json;
}

/** Creates decomposers and restores them from JSON: what a conformance suite or a worker pool needs. */
export interface StreamingDecomposerFactory<D extends StreamingDecomposer<Json, D>, Json = unknown> {
  /** A fresh, unfitted decomposer keeping `nComponents` components. */
  create(nComponents: number): D;
  /** Restores a decomposer from its `toJSON()` output, exactly. */
  fromJSON(json: Json): D;
}
