import type { AnyModule, Parameter } from '@peftjs/core';

/**
 * Per-model bookkeeping shared by every adapter handle of that model: which base parameters
 * injection froze (to unfreeze them when the last adapter goes).
 */
const frozenByInjection = new WeakMap<AnyModule, Set<Parameter>>();

export function recordFrozen(model: AnyModule, parameters: Iterable<Parameter>): void {
  let set = frozenByInjection.get(model);
  if (set === undefined) {
    set = new Set();
    frozenByInjection.set(model, set);
  }
  for (const p of parameters) set.add(p);
}

/** Unfreezes what injection froze and forgets it. */
export function restoreFrozen(model: AnyModule): void {
  const set = frozenByInjection.get(model);
  if (set === undefined) return;
  for (const p of set) p.trainable = true;
  frozenByInjection.delete(model);
}
