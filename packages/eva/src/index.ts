// The browser-safe entry: nothing here reaches a `node:` module (state files and worker threads are
// `@peftjs/eva/node`, src/node.ts).
export { parseEvaConfig, toPeftEvaConfig, EvaConfigError, EVA_CONFIG_DEFAULTS } from './eva-config';
export type { EvaConfig, EvaConfigInput } from './eva-config';
export { computeEvaState, EvaError } from './compute-eva-state';
export type { EvaData, EvaProgress, ComputeEvaOptions } from './compute-eva-state';
export { initialA, evaRanks } from './eva-state';
export type { EvaState, EvaLayerState } from './eva-state';
export type { EvaPhaseTimes } from './phase-clock';
export { applyEva } from './apply-eva';
export { initializeEva } from './initialize-eva';
export type { EvaLoraOptions } from './apply-eva';
export { encodeEvaState, decodeEvaState } from './eva-state-io';
