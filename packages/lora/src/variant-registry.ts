import { PeftjsError } from '@peftjs/core';
import type { LoraVariant } from './lora-variant';
import { plainLoraVariant } from './variants/plain-lora';
import { doraVariant } from './variants/dora';

/** The built-in variants. A new one is one file plus one line here. */
const BUILT_IN: ReadonlyMap<string, LoraVariant> = new Map<string, LoraVariant>([
  ['lora', plainLoraVariant],
  ['dora', doraVariant],
]);

const userRegistered = new Map<string, LoraVariant>();

/** Adds a user variant under `variant.name` (selected with `variant: name` in the config). */
export function registerVariant(variant: LoraVariant): void {
  if (!/^[A-Za-z][\w-]*$/.test(variant.name)) throw new Error(`registerVariant: invalid name "${variant.name}"; use letters, digits, "_" or "-"`);
  if (BUILT_IN.has(variant.name)) throw new Error(`registerVariant: "${variant.name}" is a built-in variant and cannot be replaced; pick another name`);
  userRegistered.set(variant.name, variant);
}

export function unregisterVariant(name: string): boolean {
  return userRegistered.delete(name);
}

/** The variant registered as `name`; throws listing the registered names when there is none. */
export function getVariant(name: string): LoraVariant {
  const found = BUILT_IN.get(name) ?? userRegistered.get(name);
  if (found === undefined) throw new PeftjsError('E_UNKNOWN_VARIANT', `Unknown LoRA variant "${name}"; registered: ${listVariants().join(', ')}. Register your own with registerVariant(variant).`);
  return found;
}

export function listVariants(): string[] {
  return [...BUILT_IN.keys(), ...userRegistered.keys()];
}

/** The variant a PEFT `adapter_config.json` selects through its boolean flags (`use_dora: true` -> `dora`); plain LoRA otherwise. */
export function variantForPeftConfig(config: Readonly<Record<string, unknown>>): LoraVariant {
  for (const name of listVariants()) {
    const variant = getVariant(name);
    if (variant.peftConfigFlag !== null && config[variant.peftConfigFlag] === true) return variant;
  }
  return plainLoraVariant;
}
