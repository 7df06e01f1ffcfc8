import { createRegistry, type Registry } from '@peftjs/core';
import { exactSolver } from './exact-solver';
import { randomizedSolver } from './randomized-solver';
import type { SolverChoice, SolverName } from './streaming-decomposer';
import type { SvdSolver } from './svd-solver';

const SOLVERS: Registry<SvdSolver> = createRegistry<SvdSolver>({
  kind: 'SVD solver',
  builtIns: [
    ['exact', exactSolver],
    ['randomized', randomizedSolver],
  ] satisfies [SolverName, SvdSolver][],
  unknownCode: 'E_CONFIG',
});

/** Solver names accepted by `solver` (besides `auto`). */
export const SOLVER_NAMES: readonly SolverName[] = SOLVERS.names() as SolverName[];

/**
 * `auto` uses `exact` while the stacked matrix's smaller side `min(m, d)` is at most
 * `max(64, 2 (k + oversampling))` (its float64 eigenproblem is then cheap), else `randomized`.
 */
export function selectSolver(
  choice: SolverChoice,
  rows: number,
  cols: number,
  components: number,
  oversampling: number,
): SvdSolver {
  if (choice === 'auto') {
    const small = Math.min(rows, cols);
    return SOLVERS.get(small <= Math.max(64, 2 * (components + oversampling)) ? 'exact' : 'randomized');
  }
  return SOLVERS.get(choice);
}

export function isSolverChoice(value: unknown): value is SolverChoice {
  return value === 'auto' || (typeof value === 'string' && SOLVERS.has(value));
}
