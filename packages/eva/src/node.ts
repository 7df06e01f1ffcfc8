// The `@peftjs/eva/node` entry (Node only): EVA state files on disk, and computeEvaState sharded over
// worker threads. `computeEvaState`, `applyEva`, the in-memory state codec and the rest are in `@peftjs/eva`.
export { saveEvaState, loadEvaState } from './eva-state-file';
export { computeEvaStateParallel } from './parallel/compute-eva-state-parallel';
export type { ParallelEvaOptions } from './parallel/compute-eva-state-parallel';
