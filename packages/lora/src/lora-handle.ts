import * as tf from '@tensorflow/tfjs-core';
import type { AnyModule, Parameter } from '@peftjs/core';
import type { LoraConfig } from './lora-config';
import { activateAdapter } from './activate-adapter';
import { AdapterSwitchError, LoraLinear } from './lora-linear';
import { restoreFrozen } from './model-state';

/** What a weight-mutating initialiser (PiSSA, OLoRA) changed on one layer; tensors owned by the handle. */
export interface BaseWeightChange {
  /** The base weight before initialisation `[out, in]`. */
  readonly originalWeight: tf.Tensor2D;
  /** `A` and `B` right after initialisation, for saving as a plain LoRA delta. */
  readonly initialA: tf.Tensor2D;
  /** `B` right after initialisation `[out, r]`. */
  readonly initialB: tf.Tensor2D;
}

/**
 * One adapter injected into a model by {@link injectAdapters}: its layers, and the operations
 * PEFT's `PeftModel` offers on them (enable/disable, merge/unmerge, unload).
 */
export class LoraHandle {
  /** The model the adapter was injected into (changed in place). */
  readonly model: AnyModule;
  /** The validated config the adapter was built from. */
  readonly config: LoraConfig;
  /** Module path -> wrapped layer, for every layer that got this adapter (rank >= 1). */
  readonly layers: ReadonlyMap<string, LoraLinear>;
  /** Module path -> rank, for every targeted layer including rank-0 ones (which got no adapter). */
  readonly ranks: Readonly<Record<string, number>>;
  /** Module path -> alpha, for every layer that got the adapter. */
  readonly alphas: Readonly<Record<string, number>>;
  private readonly changes: Map<string, BaseWeightChange>;
  private removed = false;

  constructor(args: {
    model: AnyModule;
    config: LoraConfig;
    layers: Map<string, LoraLinear>;
    ranks: Record<string, number>;
    alphas: Record<string, number>;
    changes: Map<string, BaseWeightChange>;
    peftInitValue?: boolean | string;
  }) {
    this.model = args.model;
    this.config = args.config;
    this.layers = args.layers;
    this.ranks = Object.freeze({ ...args.ranks });
    this.alphas = Object.freeze({ ...args.alphas });
    this.changes = args.changes;
    this.peftInitValue = args.peftInitValue ?? null;
  }

  /**
   * The `init_lora_weights` value to save, when it differs from what `config.init` implies (an
   * adapter loaded from a PEFT file keeps the value it was saved with); `null` otherwise.
   */
  readonly peftInitValue: boolean | string | null;

  /** The adapter's name in the model, `config.adapterName`. */
  get adapterName(): string {
    return this.config.adapterName;
  }

  /** Whether {@link remove} or {@link mergeAndUnload} ran; the handle is unusable afterwards. */
  get isRemoved(): boolean {
    return this.removed;
  }

  /** True when this adapter is merged into the base weights. */
  get isMerged(): boolean {
    return [...this.layers.values()].some((l) => l.mergedAdapter === this.adapterName);
  }

  /** The base-weight changes of weight-mutating initialisers, by module path (empty for others). */
  baseWeightChanges(): ReadonlyMap<string, BaseWeightChange> {
    return this.changes;
  }

  /** This adapter's parameters with their full model names (`blocks.0.q.lora_A.default.weight`). */
  adapterParameters(): [string, Parameter][] {
    this.assertLive();
    const own = new Set<Parameter>();
    for (const layer of this.layers.values()) {
      const a = layer.adapter(this.adapterName);
      own.add(a.loraA);
      own.add(a.loraB);
      for (const p of a.extra.values()) own.add(p);
    }
    return [...this.model.namedParameters()].filter(([, p]) => own.has(p));
  }

  /** The trainable parameters of this adapter (all of them while it is active). */
  trainableParameters(): [string, Parameter][] {
    return this.adapterParameters().filter(([, p]) => p.trainable);
  }

  /** Scalars: `trainable` (this adapter's trainable parameters) and `total` (the whole model, adapters included). */
  parameterCount(): {
    /** Scalars in this adapter's trainable parameters. */
    trainable: number;
    /** Scalars in the whole model, adapters included. */
    total: number;
  } {
    const trainable = this.trainableParameters().reduce((sum, [, p]) => sum + p.size, 0);
    return { trainable, total: this.model.parameterCount() };
  }

  /**
   * Makes this adapter the active one on the whole model (PEFT's `set_adapter`): its layers run it,
   * layers without it run their base layer only, and only its parameters are trainable.
   * @throws AdapterSwitchError when another adapter is merged somewhere; unmerge it first.
   */
  activate(): void {
    this.assertLive();
    activateAdapter(this.model, this.adapterName);
  }

  /**
   * Bypasses every adapter of the model (PEFT's `disable_adapter_layers`): it computes as the base
   * model, whichever adapter is active and whichever handle is asked.
   */
  disable(): void {
    this.assertLive();
    const layers = this.modelLayers();
    const merged = layers.find((l) => l.mergedAdapter !== null);
    if (merged !== undefined)
      throw new AdapterSwitchError(
        `Cannot disable adapters while adapter "${merged.mergedAdapter}" is merged into the base weights; unmerge it first`,
      );
    for (const layer of layers) layer.adaptersDisabled = true;
  }

  /** Undoes {@link disable} on the whole model: the active adapter runs again. */
  enable(): void {
    this.assertLive();
    for (const layer of this.modelLayers()) layer.adaptersDisabled = false;
  }

  private modelLayers(): LoraLinear[] {
    return [...this.model.namedModules()].flatMap(([, m]) => (m instanceof LoraLinear ? [m] : []));
  }

  /** Folds this adapter into the base weights (activating it first); forward then costs as the base model. */
  merge(): void {
    this.assertLive();
    this.activate();
    for (const layer of this.layers.values()) layer.merge();
  }

  /** Undoes {@link merge}. */
  unmerge(): void {
    this.assertLive();
    for (const layer of this.layers.values()) if (layer.mergedAdapter === this.adapterName) layer.unmerge();
  }

  /**
   * Removes this adapter: unmerges it if merged, disposes its parameters, restores base weights
   * rewritten by its initialiser, and puts the original `Linear` back wherever no adapter is left.
   */
  remove(): void {
    this.detach(false);
  }

  /** PEFT's `merge_and_unload`: merges this adapter, then puts the (now merged) `Linear` layers back. */
  mergeAndUnload(): void {
    this.merge();
    this.detach(true);
  }

  private detach(keepMerged: boolean): void {
    this.assertLive();
    const wasActive = [...this.layers.values()].some((l) => l.activeAdapter === this.adapterName);
    for (const [path, layer] of this.layers) {
      if (keepMerged) layer.forgetMerge(this.adapterName);
      layer.removeAdapter(this.adapterName);
      const change = this.changes.get(path);
      if (change !== undefined) {
        if (!keepMerged) layer.baseLayer.weight.assign(change.originalWeight);
        tf.dispose([change.originalWeight, change.initialA, change.initialB]);
      }
      if (layer.adapterNames().length === 0 && this.model.getSubmodule(path) === layer)
        this.model.setSubmodule(path, layer.baseLayer);
    }
    this.changes.clear();
    const left = [...this.model.namedModules()].flatMap(([, m]) => (m instanceof LoraLinear ? m.adapterNames() : []));
    if (left.length === 0) restoreFrozen(this.model);
    // The model keeps one active adapter: the first one left, as PEFT's delete_adapter falls back.
    else if (wasActive) activateAdapter(this.model, left[0] as string);
    this.removed = true;
  }

  private assertLive(): void {
    if (this.removed)
      throw new Error(`LoRA adapter "${this.adapterName}" was removed from its model; inject it again to use it`);
  }
}
