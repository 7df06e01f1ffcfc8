export { IncrementalPCA } from './incremental-pca';
export type { IncrementalPCAOptions, ResolvedIncrementalPCAOptions } from './incremental-pca-options';
export type { IncrementalPCAJSON, IncrementalPCAState } from './incremental-pca-json';
export { ConvergenceTracker } from './convergence-tracker';
export type { ConvergenceTrackerOptions } from './convergence-tracker';
export { mergeStates } from './merge-states';
export { selectSolver, SOLVER_NAMES } from './solver-registry';
export type { SvdSolver, StackedProblem } from './svd-solver';
export type { TopSingular } from './rayleigh-ritz';
export type {
  StreamingDecomposer,
  StreamingDecomposerFactory,
  MatrixInput,
  MatrixShape,
  PartialFitResult,
  FittedResult,
  TooFewRowsResult,
  SolverName,
  SolverChoice,
} from './streaming-decomposer';
export { encodeIncrementalPCA, decodeIncrementalPCA } from './incremental-pca-safetensors';
