import { exactSolver } from './exact-solver';
import { randomizedSolver } from './randomized-solver';
import type { SolverChoice, SolverName } from './streaming-decomposer';
import type { SvdSolver } from './svd-solver';

const SOLVERS: Readonly<Record<SolverName, SvdSolver>> = { exact: exactSolver, randomized: randomizedSolver };

/** Solver names accepted by `solver` (besides `auto`). */
export const SOLVER_NAMES: readonly SolverName[] = Object.keys(SOLVERS) as SolverName[];

/**
 * `auto` uses `exact` while the stacked matrix's smaller side `min(m, d)` is at most
 * `max(64, 2 (k + oversampling))` (its float64 eigenproblem is then cheap), else `randomized`.
 */
export function selectSolver(choice: SolverChoice, rows: number, cols: number, components: number, oversampling: number): SvdSolver {
  if (choice === 'auto') {
    const small = Math.min(rows, cols);
    return small <= Math.max(64, 2 * (components + oversampling)) ? SOLVERS.exact : SOLVERS.randomized;
  }
  return SOLVERS[choice];
}

export function isSolverChoice(value: unknown): value is SolverChoice {
  return value === 'auto' || (typeof value === 'string' && Object.hasOwn(SOLVERS, value));
}
