import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@peftjs/core';

import type { TopSingular } from './rayleigh-ritz';
import type { SolverName } from './streaming-decomposer';

/** One update's decomposition problem: the centred stacked matrix and what to return. */
export interface StackedProblem {
  /** `[m, d]` float32 stacked matrix; owned by the caller. */
  readonly matrix: tf.Tensor2D;
  /** Number of top singular triplets to return. */
  readonly components: number;
  /** Previous components `[warmStartRows, d]` (orthonormal rows), or null. */
  readonly warmStart: Float32Array | null;
  /** Rows in `warmStart` (0 without one). */
  readonly warmStartRows: number;
  /** Extra trial directions beyond `components`. */
  readonly oversampling: number;
  /** Power iterations to run at most. */
  readonly powerIterations: number;
  /**
   * With a warm start, stop iterating once no top Ritz value changes by more than this relative amount
   * between two iterations (0: always run `powerIterations`).
   */
  readonly tolerance: number;
  /** Generator of the randomized solver's trial directions (the exact solver ignores it). */
  readonly rng: Rng;
}

/**
 * A way to find the top singular triplets of a stacked matrix. Implementations run inside a
 * `tf.tidy` opened by the caller, keep `O(m d q)` work on the tfjs backend and decompose only
 * small matrices in float64.
 */
export interface SvdSolver {
  /** The name `IncrementalPCAOptions.solver` selects it by. */
  readonly name: SolverName;
  /** The top `problem.components` singular triplets of `problem.matrix`; runs inside the caller's `tf.tidy`. */
  solve(problem: StackedProblem): TopSingular;
}
