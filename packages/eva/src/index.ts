export { parseEvaConfig, toPeftEvaConfig, EvaConfigError, EVA_CONFIG_DEFAULTS } from './eva-config';
export type { EvaConfig, EvaConfigInput } from './eva-config';
export { computeEvaState, EvaError } from './compute-eva-state';
export type { EvaData, EvaProgress, ComputeEvaOptions } from './compute-eva-state';
export { normaliseModulePath, initialA, evaRanks } from './eva-state';
export type { EvaState, EvaLayerState } from './eva-state';
export { applyEva } from './apply-eva';
export type { EvaLoraOptions } from './apply-eva';
export { encodeEvaState, decodeEvaState, saveEvaState, loadEvaState } from './eva-state-io';
