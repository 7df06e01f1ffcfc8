// `@peftjs/lora/testing`: the conformance suites of the LoraInitializer and LoraVariant plug points (vitest).
export { loraInitializerConformance } from './initializer-conformance';
export type { LoraInitializerConformanceOptions } from './initializer-conformance';
export { loraVariantConformance } from './variant-conformance';
export type { LoraVariantConformanceOptions } from './variant-conformance';
export type { InitOptionsFor } from './adapter-lifecycle';
