import * as tf from '@tensorflow/tfjs-core';
import { Dropout, Module, type Parameter, PeftjsError, Rng } from '@peftjs/core';
import type { Linear } from '@peftjs/core';
import { AdapterDict, AdapterWeight } from './adapter-modules';
import type { LoraAdapterState, LoraVariant } from './lora-variant';

/** What {@link LoraLinear.addAdapter} needs; `a` and `b` become owned by the layer. */
export interface LoraAdapterSpec {
  /** Rank, >= 1; `a` and `b` must match it. */
  readonly r: number;
  /** `lora_alpha`. */
  readonly alpha: number;
  /** rsLoRA scaling `alpha / sqrt(r)` instead of `alpha / r`. */
  readonly useRslora: boolean;
  /** Dropout probability on the adapter's input, in [0, 1). */
  readonly dropout: number;
  /** Seeds the dropout masks. */
  readonly dropoutRng?: Rng;
  /** `[r, in]`. */
  readonly a: tf.Tensor2D;
  /** `[out, r]`. */
  readonly b: tf.Tensor2D;
  /** How the adapter computes its output and merges (plain LoRA, DoRA, ...). */
  readonly variant: LoraVariant;
}

/** An adapter switch that would leave a merged adapter in place; code `E_ADAPTER_MERGED`. */
export class AdapterSwitchError extends PeftjsError {
  constructor(message: string) {
    super('E_ADAPTER_MERGED', message);
    this.name = 'AdapterSwitchError';
  }
}

const RESERVED = new Set(['base_layer', 'lora_A', 'lora_B', 'lora_dropout']);

interface AdapterRecord extends LoraAdapterState {
  readonly extra: Map<string, Parameter>;
}

/** `alpha / r`, or `alpha / sqrt(r)` with rsLoRA (Kalajdzievski 2023). */
export function loraScaling(alpha: number, r: number, useRslora: boolean): number {
  return useRslora ? alpha / Math.sqrt(r) : alpha / r;
}

/**
 * A `Linear` with LoRA adapters: `y = base(x) + scaling * dropout(x) @ A^T @ B^T` for the active
 * adapter (or what its {@link LoraVariant} computes instead).
 *
 * The module tree follows PEFT's names: the wrapped layer is the child `base_layer`, and the
 * parameters of adapter `name` are `lora_A.<name>.weight` (`[r, in]`), `lora_B.<name>.weight`
 * (`[out, r]`) and, for variants with extra parameters, `<key>.<name>.weight`
 * (DoRA: `lora_magnitude_vector.<name>.weight`). Several adapters can live on one layer; one is
 * active at a time.
 */
export class LoraLinear extends Module {
  private readonly records = new Map<string, AdapterRecord>();
  private active: string | null = null;
  private disabled = false;
  private mergedName: string | null = null;

  constructor(base: Linear) {
    super();
    this.registerModule('base_layer', base);
    this.registerModule('lora_A', new AdapterDict());
    this.registerModule('lora_B', new AdapterDict());
    this.registerModule('lora_dropout', new AdapterDict());
  }

  /** The wrapped `Linear` (child `base_layer`). */
  get baseLayer(): Linear {
    return this.child<Linear>('base_layer');
  }

  /** The base layer's input width `in`. */
  get inFeatures(): number {
    return this.baseLayer.inFeatures;
  }

  /** The base layer's output width `out`. */
  get outFeatures(): number {
    return this.baseLayer.outFeatures;
  }

  /** The adapter used by `forward` and `merge`, or `null`. */
  get activeAdapter(): string | null {
    return this.active;
  }

  /** The adapter merged into the base weight, or `null`. */
  get mergedAdapter(): string | null {
    return this.mergedName;
  }

  /** True while adapters are bypassed (`forward` = base layer). */
  get adaptersDisabled(): boolean {
    return this.disabled;
  }

  /**
   * `true` bypasses every adapter, `false` runs the active one again (PEFT's `disable_adapter`).
   * @throws Error when disabling while an adapter is merged; unmerge it first.
   */
  set adaptersDisabled(flag: boolean) {
    if (flag && this.mergedName !== null)
      throw new Error(
        `Cannot disable adapters of a layer whose adapter "${this.mergedName}" is merged; call unmerge() first`,
      );
    this.disabled = flag;
  }

  /** The names of the adapters on this layer, in the order they were added. */
  adapterNames(): string[] {
    return [...this.records.keys()];
  }

  /** Whether adapter `name` is on this layer. */
  hasAdapter(name: string): boolean {
    return this.records.has(name);
  }

  /**
   * The live state of adapter `name` (its parameters, scaling, variant).
   * @throws Error listing the adapters when there is none called `name`.
   */
  adapter(name: string): LoraAdapterState {
    const record = this.records.get(name);
    if (record === undefined)
      throw new Error(`LoraLinear has no adapter "${name}"; it has: ${this.adapterNames().join(', ') || 'none'}`);
    return record;
  }

  /**
   * Adds adapter `name` (taking ownership of `spec.a` and `spec.b`), creates the variant's extra
   * parameters, and makes it active. The base weight must already be final (weight-mutating
   * initialisers rewrite it before).
   */
  addAdapter(name: string, spec: LoraAdapterSpec): LoraAdapterState {
    if (this.records.has(name))
      throw new Error(`LoraLinear already has an adapter "${name}"; remove it first or pick another adapterName`);
    if (this.mergedName !== null)
      throw new Error(`Cannot add adapter "${name}" while "${this.mergedName}" is merged; call unmerge() first`);
    const { r } = spec;
    expectShape(`lora_A.${name}.weight`, spec.a.shape, [r, this.inFeatures]);
    expectShape(`lora_B.${name}.weight`, spec.b.shape, [this.outFeatures, r]);
    const aHolder = new AdapterWeight(spec.a);
    const bHolder = new AdapterWeight(spec.b);
    spec.a.dispose();
    spec.b.dispose();
    this.dict('lora_A').set(name, aHolder);
    this.dict('lora_B').set(name, bHolder);
    let dropout: Dropout | null = null;
    if (spec.dropout > 0) {
      dropout = new Dropout(spec.dropout, spec.dropoutRng ?? new Rng(0));
      dropout.train(this.training);
      this.dict('lora_dropout').set(name, dropout);
    }
    const record: AdapterRecord = {
      name,
      r,
      alpha: spec.alpha,
      scaling: loraScaling(spec.alpha, r, spec.useRslora),
      useRslora: spec.useRslora,
      loraA: aHolder.weight,
      loraB: bHolder.weight,
      dropout,
      variant: spec.variant,
      extra: new Map(),
      cache: new Map(),
    };
    const extra = spec.variant.createParameters(this.baseLayer, record);
    const names = Object.keys(extra);
    if (
      names.length !== spec.variant.parameterNames.length ||
      names.some((n) => !spec.variant.parameterNames.includes(n))
    ) {
      tf.dispose(Object.values(extra));
      throw new Error(
        `Variant "${spec.variant.name}" created parameters [${names.join(', ')}] but declares parameterNames [${spec.variant.parameterNames.join(', ')}]; make them agree`,
      );
    }
    for (const [key, tensor] of Object.entries(extra)) {
      const holder = new AdapterWeight(tensor);
      tensor.dispose();
      if (RESERVED.has(key))
        throw new Error(
          `Variant "${spec.variant.name}" returned a parameter named "${key}", which LoraLinear reserves; rename it`,
        );
      if (!this.hasDict(key)) this.registerModule(key, new AdapterDict());
      this.dict(key).set(name, holder);
      record.extra.set(key, holder.weight);
    }
    this.records.set(name, record);
    this.setActiveAdapter(name);
    return record;
  }

  /**
   * Makes `name` the adapter used by forward/merge; only its parameters stay trainable. `null`
   * selects none: forward runs the base layer only and every adapter here is frozen (what PEFT's
   * `set_adapter` does to a layer that lacks the selected adapter).
   */
  setActiveAdapter(name: string | null): void {
    if (name !== null) this.adapter(name);
    if (this.mergedName !== null && this.mergedName !== name) {
      throw new AdapterSwitchError(
        `Cannot switch layer adapter to ${name === null ? 'none' : `"${name}"`} while "${this.mergedName}" is merged; call unmerge() first`,
      );
    }
    this.active = name;
    for (const record of this.records.values()) {
      const trainable = record.name === name;
      record.loraA.trainable = trainable;
      record.loraB.trainable = trainable;
      for (const p of record.extra.values()) p.trainable = trainable;
    }
  }

  /** Removes adapter `name` and disposes its parameters (unmerging it first if merged). */
  removeAdapter(name: string): void {
    const record = this.records.get(name);
    if (record === undefined)
      throw new Error(
        `LoraLinear has no adapter "${name}" to remove; it has: ${this.adapterNames().join(', ') || 'none'}`,
      );
    if (this.mergedName === name) this.unmerge();
    const keys = ['lora_A', 'lora_B', 'lora_dropout', ...record.extra.keys()];
    for (const key of keys) {
      if (!this.hasDict(key)) continue;
      const dict = this.dict(key);
      if (dict.has(name)) this.registerModule(key, dict.without(name));
    }
    record.loraA.dispose();
    record.loraB.dispose();
    for (const p of record.extra.values()) p.dispose();
    for (const t of record.cache.values()) t.dispose();
    this.records.delete(name);
    if (this.active === name) {
      const next = this.records.keys().next();
      this.active = null;
      if (!next.done) this.setActiveAdapter(next.value);
    }
  }

  /** Folds the active adapter into the base weight; `forward` then runs the base layer only. */
  merge(): void {
    if (this.mergedName !== null) return;
    if (this.active === null) return;
    const record = this.adapter(this.active);
    const weight = this.baseLayer.weight;
    const merged = tf.tidy(() => record.variant.mergedWeight(this.baseLayer, record, weight.value as tf.Tensor2D));
    weight.assign(merged);
    merged.dispose();
    this.mergedName = record.name;
  }

  /** Undoes {@link merge}. */
  unmerge(): void {
    if (this.mergedName === null) return;
    const record = this.adapter(this.mergedName);
    const weight = this.baseLayer.weight;
    const restored = tf.tidy(() => record.variant.unmergedWeight(this.baseLayer, record, weight.value as tf.Tensor2D));
    weight.assign(restored);
    restored.dispose();
    this.mergedName = null;
  }

  /**
   * Treats the merged adapter `name` as part of the base weight from now on (PEFT's
   * `merge_and_unload`): the layer no longer counts it as merged and will not unmerge it.
   */
  forgetMerge(name: string): void {
    if (this.mergedName !== name) return;
    const record = this.adapter(name);
    for (const t of record.cache.values()) t.dispose();
    record.cache.clear();
    this.mergedName = null;
  }

  /**
   * `x: [..., in]` -> `[..., out]`: the base output plus the active adapter's update as its variant
   * computes it; the base layer alone when adapters are disabled, merged or none is active.
   */
  forward(x: tf.Tensor): tf.Tensor {
    const base = this.baseLayer;
    if (this.disabled || this.mergedName !== null || this.active === null) return base.call(x);
    const record = this.adapter(this.active);
    return tf.tidy(() => {
      const baseOutput = base.call(x);
      const lead = x.shape.slice(0, -1);
      const x2d = tf.reshape(x, [-1, this.inFeatures]) as tf.Tensor2D; // [..., in] -> [n, in]
      const base2d = tf.reshape(baseOutput, [-1, this.outFeatures]) as tf.Tensor2D;
      const dropped = record.dropout === null ? x2d : (record.dropout.call(x2d) as tf.Tensor2D);
      const y = record.variant.forward(base, record, { x: x2d, dropped, baseOutput: base2d }); // [n, out]
      return x.rank === 2 ? y : tf.reshape(y, [...lead, this.outFeatures]);
    });
  }

  /** Disposes every adapter (not the base layer, which the caller may put back). */
  disposeAdapters(): void {
    for (const name of this.adapterNames()) this.removeAdapter(name);
  }

  private hasDict(key: string): boolean {
    for (const [name] of this.children()) if (name === key) return true;
    return false;
  }

  private dict(key: string): AdapterDict {
    return this.child<AdapterDict>(key);
  }
}

function expectShape(name: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((v, i) => v !== want[i])) {
    throw new Error(`${name} has shape [${got.join(', ')}] but this layer needs [${want.join(', ')}]`);
  }
}
