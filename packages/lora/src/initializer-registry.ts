import { createRegistry, type Registry } from '@peftjs/core';
import type { LoraInitializer } from './lora-initializer';
import { kaimingInitializer } from './initializers/kaiming';
import { gaussianInitializer } from './initializers/gaussian';
import { pissaInitializer } from './initializers/pissa';
import { oloraInitializer } from './initializers/olora';
import { orthogonalInitializer } from './initializers/orthogonal';
import { evaInitializer } from './initializers/eva';

/** The built-in initialisers and the user's. A new method is one file plus one line here. */
const registry: Registry<LoraInitializer> = createRegistry<LoraInitializer>({
  kind: 'LoRA initialiser',
  builtIns: [
    ['kaiming', kaimingInitializer],
    ['gaussian', gaussianInitializer],
    ['pissa', pissaInitializer],
    ['olora', oloraInitializer],
    ['orthogonal', orthogonalInitializer],
    ['eva', evaInitializer],
  ],
  registerHint: 'registerInitializer(name, initializer)',
  unknownCode: 'E_UNKNOWN_INITIALIZER',
});

/**
 * Adds a user initialiser under `name` (selected with `init: name` or `init: { name, options }`).
 * Built-in names cannot be replaced; registering the same user name again replaces it.
 * @throws PeftjsError (`E_REGISTRY`) for an invalid or built-in name.
 */
export function registerInitializer(name: string, initializer: LoraInitializer): void {
  registry.register(name, initializer);
}

/** Removes a user initialiser; returns whether it was registered. Built-ins cannot be removed. */
export function unregisterInitializer(name: string): boolean {
  return registry.unregister(name);
}

/** The initialiser registered as `name`; throws (`E_UNKNOWN_INITIALIZER`) listing the registered names when there is none. */
export function getInitializer(name: string): LoraInitializer {
  return registry.get(name);
}

/** Every registered name, built-ins first. */
export function listInitializers(): string[] {
  return registry.names();
}

/** The registered initialiser (and its options) that wrote a PEFT `init_lora_weights` value, or `null`. */
export function initializerForPeftValue(value: boolean | string): {
  /** The initialiser's registered name, e.g. `pissa`. */
  name: string;
  /** Its options decoded from the value, e.g. `{ niter: 16 }` for `"pissa_niter_16"`. */
  options: Readonly<Record<string, unknown>>;
} | null {
  for (const name of listInitializers()) {
    const options = getInitializer(name).fromPeftInitValue(value);
    if (options !== null) return { name, options };
  }
  return null;
}
