import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerState } from './optimizer';

interface Slot {
  step: number;
  tensors: Record<string, tf.Tensor>;
}

/**
 * Per-parameter optimizer state (`exp_avg`, `momentum_buffer`, ...) as kept tensors plus a step
 * count, with the flat `<name>.<slot>` / `<name>.step` layout that checkpoints store.
 */
export class SlotStore {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly kind: string,
    private readonly slotNames: readonly string[],
  ) {}

  has(name: string): boolean {
    return this.slots.has(name);
  }

  get(name: string): Slot | undefined {
    return this.slots.get(name);
  }

  /** The slot of `name`, created with zeros shaped like `like` (step 0) on first use. */
  getOrCreate(name: string, like: tf.Tensor): Slot {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      const tensors: Record<string, tf.Tensor> = {};
      for (const s of this.slotNames) tensors[s] = tf.keep(tf.zerosLike(like));
      slot = { step: 0, tensors };
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** Swaps in new tensors (taking ownership, freeing the old ones) and the new step count. */
  replace(name: string, tensors: Record<string, tf.Tensor>, step: number): void {
    const old = this.slots.get(name);
    for (const t of Object.values(tensors)) tf.keep(t);
    this.slots.set(name, { step, tensors });
    if (old !== undefined)
      for (const t of Object.values(old.tensors)) if (!Object.values(tensors).includes(t)) t.dispose();
  }

  getState(): OptimizerState {
    const tensors: Record<string, tf.Tensor> = {};
    const scalars: Record<string, number> = {};
    for (const [name, slot] of this.slots) {
      scalars[`${name}.step`] = slot.step;
      for (const [s, t] of Object.entries(slot.tensors)) tensors[`${name}.${s}`] = t;
    }
    return { kind: this.kind, tensors, scalars };
  }

  setState(state: OptimizerState): void {
    if (state.kind !== this.kind) {
      throw new Error(
        `Cannot load a "${state.kind}" optimizer state into a "${this.kind}" optimizer; resume with the optimizer the checkpoint was written by`,
      );
    }
    const next = new Map<string, Slot>();
    for (const [key, step] of Object.entries(state.scalars)) {
      if (!key.endsWith('.step')) continue;
      const name = key.slice(0, -'.step'.length);
      const tensors: Record<string, tf.Tensor> = {};
      for (const s of this.slotNames) {
        const t = state.tensors[`${name}.${s}`];
        if (t === undefined)
          throw new Error(
            `${this.kind} optimizer state lacks tensor "${name}.${s}"; the checkpoint is incomplete or from another optimizer`,
          );
        tensors[s] = t;
      }
      next.set(name, { step, tensors });
    }
    for (const key of Object.keys(state.tensors)) {
      const cut = key.lastIndexOf('.');
      if (!next.has(key.slice(0, cut)) || !this.slotNames.includes(key.slice(cut + 1))) {
        throw new Error(
          `${this.kind} optimizer state has an unexpected tensor "${key}" (expected <parameter>.{${this.slotNames.join(',')}} with a matching <parameter>.step)`,
        );
      }
    }
    this.dispose();
    for (const [name, slot] of next) {
      const copies: Record<string, tf.Tensor> = {};
      for (const [s, t] of Object.entries(slot.tensors)) copies[s] = tf.keep(tf.clone(t));
      this.slots.set(name, { step: slot.step, tensors: copies });
    }
  }

  dispose(): void {
    for (const slot of this.slots.values()) for (const t of Object.values(slot.tensors)) t.dispose();
    this.slots.clear();
  }
}
