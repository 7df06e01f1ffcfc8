// The browser-safe entry: nothing here reaches a `node:` module (adapter directories are `@peftjs/lora/node`).
export { parseLoraConfig, isLoraConfig } from './lora-config';
export type { LoraConfig, LoraConfigInput, TargetModules, ExcludeModules, InitSpec } from './lora-config';
export { LoraConfigError } from './lora-config-error';
export { AdapterFileError } from './adapter-file-error';
export { LoraLinear, AdapterSwitchError, loraScaling } from './lora-linear';
export { activateAdapter } from './activate-adapter';
export type { LoraAdapterSpec } from './lora-linear';
export type { LoraVariant, LoraAdapterState, LoraForwardInputs } from './lora-variant';
export { injectAdapters, resolveLoraTargets } from './inject-adapters';
export type { LoraTarget } from './inject-adapters';
export { LoraHandle } from './lora-handle';
export type { BaseWeightChange } from './lora-handle';
export type { LoraInitializer, LoraInitContext, LoraInitResult, InitializerOptions } from './lora-initializer';
export {
  registerInitializer,
  unregisterInitializer,
  getInitializer,
  listInitializers,
  initializerForPeftValue,
} from './initializer-registry';
export type { EvaComponents } from './initializers/eva';
export { registerVariant, unregisterVariant, getVariant, listVariants } from './variant-registry';
export { plainLoraVariant } from './variants/plain-lora';
export { doraVariant, DORA_MAGNITUDE } from './variants/dora';
export { deltaWeight, loraUpdate } from './lora-delta';
export { matchesModuleName, findPatternKey, layerIndexOf } from './pattern-matching';
export { normaliseModulePath } from './module-path';
export type { InjectOptions } from './inject-adapters';
export {
  exportAdapter,
  importAdapter,
  ADAPTER_WEIGHTS_FILE,
  ADAPTER_CONFIG_FILE,
} from './adapter-io';
export type { PeftAdapter, ExportAdapterOptions, ImportAdapterOptions } from './adapter-io';
export { toPeftConfig, fromPeftConfig } from './peft-config';
export { PEFT_LORA_FIELDS } from './peft-config-fields';
export type { PeftLoraConfigJson, PeftConfigLayers } from './peft-config';
