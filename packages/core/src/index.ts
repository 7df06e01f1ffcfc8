// The browser-safe entry: nothing here reaches a `node:` module (file IO is in `./node.ts`, `@peftjs/core/node`).
// Sets tfjs up once (cpu backend, tfjs-core's gradients) before anything computes.
import './tfjs-setup';

export { PeftjsError, isPeftjsError } from './peftjs-error';
export { createRegistry } from './create-registry';
export { matchesModuleName, fullMatch, closeMatches, editDistance } from './module-path-match';
export type { Registry, RegistryOptions, RegistryErrorReason } from './create-registry';
export { NonFiniteError, countNonFinite, assertFinite } from './non-finite';
export { Rng } from './rng';
export type { RngState } from './rng';
export { setBackend, getBackendInfo, BackendError } from './backend';
export type { BackendName, BackendInfo, ModuleLoader, SetBackendOptions } from './backend';
export { Module } from './module';
export type { AnyModule, TensorModule, ForwardHook, HookHandle } from './module';
export { Parameter, shapesEqual } from './parameter';
export { ModuleList } from './module-list';
export { Linear } from './linear';
export type { LinearOptions } from './linear';
export { Embedding, assertIdsInRange } from './embedding';
export { LayerNorm, RMSNorm } from './norms';
export { Dropout } from './dropout';
export { FUSED_KERNELS, hasFusedKernel } from './fused/fused-kernel';
export type { FusedKernelName } from './fused/fused-kernel';
export { geluTanh } from './fused/gelu-tanh';
export { layerNorm } from './fused/layer-norm';
export { rmsNorm } from './fused/rms-norm';
export { attention } from './fused/attention';
export { softmaxCrossEntropy } from './fused/softmax-cross-entropy';
export { linear } from './fused/linear';
export { loraDelta } from './fused/lora-delta';
export { matmulTransposeB, matmulTransposeBConstWeight, onLastAxis } from './matmul';
export { isTokenBatch, disposeBatch } from './batch';
export type { TokenBatch, FeatureBatch, Batch, BatchModel } from './batch';
export { IGNORE_INDEX, LabelRangeError, causalLmTargets, classTargets } from './scored-targets';
export type { ScoredTargets } from './scored-targets';
export {
  SafetensorsError,
  MAX_HEADER_BYTES,
  SAFETENSORS_DTYPES,
  isSafetensorsDtype,
  dtypeItemSize,
  encodeSafetensors,
  decodeSafetensors,
} from './safetensors';
export type {
  SafetensorsErrorKind,
  SafetensorsErrorCode,
  SafetensorsDtype,
  TensorEntry,
  TensorData,
  DecodedSafetensors,
} from './safetensors';
