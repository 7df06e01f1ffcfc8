export { captureLayerInputs } from './capture-layer-inputs';
export type { CaptureOptions, CapturedLayer, CaptureStepResult, LayerInputCapture } from './capture-layer-inputs';
export { gatherKeptRows } from './gather-kept-rows';
export type { PrepareLayerInputs, PrepareLayerInputsContext } from './gather-kept-rows';
export { keptRowIndex } from './kept-rows';
export type { KeptRows, RowMaskOptions } from './kept-rows';
export { resolveTargets, matchesTarget } from './resolve-targets';
export type { ResolvedTarget, TargetPredicate, TargetSpec } from './resolve-targets';
export type { IdenticalInputGroup } from './identical-input-groups';
