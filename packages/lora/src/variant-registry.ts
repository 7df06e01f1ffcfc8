import { createRegistry, type Registry } from '@peftjs/core';
import type { LoraVariant } from './lora-variant';
import { plainLoraVariant } from './variants/plain-lora';
import { doraVariant } from './variants/dora';

/** The built-in variants and the user's. A new one is one file plus one line here. */
const registry: Registry<LoraVariant> = createRegistry<LoraVariant>({
  kind: 'LoRA variant',
  builtIns: [
    ['lora', plainLoraVariant],
    ['dora', doraVariant],
  ],
  registerHint: 'registerVariant(variant)',
  unknownCode: 'E_UNKNOWN_VARIANT',
});

/**
 * Adds a user variant under `variant.name` (selected with `variant: name` in the config).
 * @throws PeftjsError (`E_REGISTRY`) for an invalid or built-in name.
 */
export function registerVariant(variant: LoraVariant): void {
  registry.register(variant.name, variant);
}

/** Removes a user variant; returns whether it was registered. Built-ins cannot be removed. */
export function unregisterVariant(name: string): boolean {
  return registry.unregister(name);
}

/** The variant registered as `name`; throws (`E_UNKNOWN_VARIANT`) listing the registered names when there is none. */
export function getVariant(name: string): LoraVariant {
  return registry.get(name);
}

/** Every registered variant name, built-ins first. */
export function listVariants(): string[] {
  return registry.names();
}

/** The variant a PEFT `adapter_config.json` selects through its boolean flags (`use_dora: true` -> `dora`); plain LoRA otherwise. */
export function variantForPeftConfig(config: Readonly<Record<string, unknown>>): LoraVariant {
  for (const name of listVariants()) {
    const variant = getVariant(name);
    if (variant.peftConfigFlag !== null && config[variant.peftConfigFlag] === true) return variant;
  }
  return plainLoraVariant;
}
