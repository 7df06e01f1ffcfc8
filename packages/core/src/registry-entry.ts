// The `@peftjs/core/registry` entry: createRegistry alone (no tfjs), for packages that must stay
// free of run-time dependencies (`@peftjs/rank-allocator` bundles it).
export { createRegistry } from './create-registry';
export type { Registry, RegistryOptions, RegistryErrorReason } from './create-registry';
export { PeftjsError, isPeftjsError } from './peftjs-error';
