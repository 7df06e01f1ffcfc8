import { isSolverChoice, SOLVER_NAMES } from './solver-registry';
import type { SolverChoice } from './streaming-decomposer';

/** Options of `IncrementalPCA`. Only `nComponents` is required. */
export interface IncrementalPCAOptions {
  /** Number of components `k` to keep (clamped to the width `d`, and reported, when larger). */
  readonly nComponents: number;
  /** `exact`, `randomized` or `auto` (default): see `selectSolver`. */
  readonly solver?: SolverChoice;
  /** Extra trial directions beyond `k` for both solvers (default 10). */
  readonly oversampling?: number;
  /** Power iterations of the randomized solver (default 4, PEFT's `niter`); all of them from a random start. */
  readonly powerIterations?: number;
  /**
   * From a warm start (every fit after the first, with `warmStart`), the randomized solver stops iterating once
   * no top Ritz value (squared singular value estimate) changes by more than this relative amount between two
   * iterations (default 1e-4; 0 always runs `powerIterations`). A warm start is usually close already, so most
   * fits stop after one iteration; flat spectra, where subspace iteration converges slowly, get all of them.
   */
  readonly warmStartTolerance?: number;
  /** Seed of the randomized solver's Gaussian start (default 42, as PEFT). */
  readonly seed?: number | string;
  /** Start the randomized solver from the previous components (default true). */
  readonly warmStart?: boolean;
}

/** `IncrementalPCAOptions` with every default filled in. */
export type ResolvedIncrementalPCAOptions = Required<IncrementalPCAOptions>;

/** Validates options (naming the bad field) and fills defaults; never mutates the input. */
export function resolveIncrementalPCAOptions(options: IncrementalPCAOptions): ResolvedIncrementalPCAOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('IncrementalPCA: options must be an object such as { nComponents: 8 }');
  }
  const {
    nComponents,
    solver = 'auto',
    oversampling = 10,
    powerIterations = 4,
    warmStartTolerance = 1e-4,
    seed = 42,
    warmStart = true,
  } = options;
  if (!Number.isInteger(nComponents) || nComponents < 1) {
    throw new RangeError(`IncrementalPCA: nComponents must be an integer >= 1, got ${String(nComponents)}`);
  }
  if (!isSolverChoice(solver)) {
    throw new RangeError(
      `IncrementalPCA: solver must be one of auto, ${SOLVER_NAMES.join(', ')}; got ${String(solver)}`,
    );
  }
  if (!Number.isInteger(oversampling) || oversampling < 0) {
    throw new RangeError(`IncrementalPCA: oversampling must be an integer >= 0, got ${String(oversampling)}`);
  }
  if (!Number.isInteger(powerIterations) || powerIterations < 0) {
    throw new RangeError(`IncrementalPCA: powerIterations must be an integer >= 0, got ${String(powerIterations)}`);
  }
  if (typeof warmStartTolerance !== 'number' || !(warmStartTolerance >= 0)) {
    throw new RangeError(`IncrementalPCA: warmStartTolerance must be a number >= 0, got ${String(warmStartTolerance)}`);
  }
  if (typeof seed !== 'number' && typeof seed !== 'string') {
    throw new TypeError(`IncrementalPCA: seed must be a number or a string, got ${typeof seed}`);
  }
  if (typeof warmStart !== 'boolean') {
    throw new TypeError(`IncrementalPCA: warmStart must be a boolean, got ${typeof warmStart}`);
  }
  return { nComponents, solver, oversampling, powerIterations, warmStartTolerance, seed, warmStart };
}
