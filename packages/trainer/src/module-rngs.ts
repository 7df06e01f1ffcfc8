import type { AnyModule, RngState } from '@peftjs/core';

/** A generator whose state can be saved and restored, as core's `Rng`. */
export interface StatefulRng {
  /** A snapshot of the state. */
  getState(): RngState;
  /** Restores a snapshot from `getState`. */
  setState(state: RngState): void;
}

/**
 * Every random generator owned by a module of the tree, by module path: core's `Dropout.rng`
 * and any other module with an `rng` property that has `getState()`/`setState()` (LoRA dropout,
 * user layers). The trainer saves their states in each checkpoint and restores them on resume,
 * so dropout masks after a resume are the masks the uninterrupted run drew.
 */
export function collectModuleRngs(model: AnyModule): Map<string, StatefulRng> {
  const found = new Map<string, StatefulRng>();
  for (const [path, module] of model.namedModules()) {
    const rng = (module as { rng?: unknown }).rng;
    if (isStatefulRng(rng)) found.set(path, rng);
  }
  return found;
}

export function getModuleRngStates(model: AnyModule): Record<string, RngState> {
  const out: Record<string, RngState> = {};
  for (const [path, rng] of collectModuleRngs(model)) out[path] = rng.getState();
  return out;
}

/** Restores saved states; a module path missing on either side is an error naming it. */
export function setModuleRngStates(model: AnyModule, states: Readonly<Record<string, RngState>>): void {
  const rngs = collectModuleRngs(model);
  const saved = Object.keys(states);
  const missing = saved.filter((p) => !rngs.has(p));
  const extra = [...rngs.keys()].filter((p) => !(p in states));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(
      `The checkpoint's module RNGs do not match the model: ` +
        `${missing.length ? `saved but not in the model: ${missing.join(', ')}; ` : ''}` +
        `${extra.length ? `in the model but not saved: ${extra.join(', ')}; ` : ''}` +
        'resume with the same model structure (same Dropout layers) the checkpoint was written with',
    );
  }
  for (const [path, rng] of rngs) rng.setState(states[path] as RngState);
}

function isStatefulRng(value: unknown): value is StatefulRng {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as StatefulRng).getState === 'function' &&
    typeof (value as StatefulRng).setState === 'function'
  );
}
