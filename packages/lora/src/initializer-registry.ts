import { PeftjsError } from '@peftjs/core';
import type { LoraInitializer } from './lora-initializer';
import { kaimingInitializer } from './initializers/kaiming';
import { gaussianInitializer } from './initializers/gaussian';
import { pissaInitializer } from './initializers/pissa';
import { oloraInitializer } from './initializers/olora';
import { orthogonalInitializer } from './initializers/orthogonal';
import { evaInitializer } from './initializers/eva';

/** The built-in initialisers. A new method is one file plus one line here. */
const BUILT_IN: ReadonlyMap<string, LoraInitializer> = new Map<string, LoraInitializer>([
  ['kaiming', kaimingInitializer],
  ['gaussian', gaussianInitializer],
  ['pissa', pissaInitializer],
  ['olora', oloraInitializer],
  ['orthogonal', orthogonalInitializer],
  ['eva', evaInitializer],
]);

const userRegistered = new Map<string, LoraInitializer>();

/**
 * Adds a user initialiser under `name` (selected with `init: name` or `init: { name, options }`).
 * Built-in names cannot be replaced; registering the same user name again replaces it.
 */
export function registerInitializer(name: string, initializer: LoraInitializer): void {
  if (!/^[A-Za-z][\w-]*$/.test(name)) {
    throw new Error(`registerInitializer: invalid name "${name}"; use letters, digits, "_" or "-", starting with a letter`);
  }
  if (BUILT_IN.has(name)) throw new Error(`registerInitializer: "${name}" is a built-in initialiser and cannot be replaced; pick another name`);
  userRegistered.set(name, initializer);
}

/** Removes a user initialiser; returns whether it was registered. Built-ins cannot be removed. */
export function unregisterInitializer(name: string): boolean {
  return userRegistered.delete(name);
}

/** The initialiser registered as `name`; throws listing the registered names when there is none. */
export function getInitializer(name: string): LoraInitializer {
  const found = BUILT_IN.get(name) ?? userRegistered.get(name);
  if (found === undefined) {
    throw new PeftjsError('E_UNKNOWN_INITIALIZER', `Unknown LoRA initialiser "${name}"; registered: ${listInitializers().join(', ')}. Register your own with registerInitializer(name, initializer).`);
  }
  return found;
}

/** Every registered name, built-ins first. */
export function listInitializers(): string[] {
  return [...BUILT_IN.keys(), ...userRegistered.keys()];
}

/** The registered initialiser (and its options) that wrote a PEFT `init_lora_weights` value, or `null`. */
export function initializerForPeftValue(value: boolean | string): { name: string; options: Readonly<Record<string, unknown>> } | null {
  for (const name of listInitializers()) {
    const options = getInitializer(name).fromPeftInitValue(value);
    if (options !== null) return { name, options };
  }
  return null;
}
