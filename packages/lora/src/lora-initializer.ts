import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '@peftjs/core';

/** Free-form initialiser options, validated by the initialiser itself (`validateOptions`). */
export type InitializerOptions = Readonly<Record<string, unknown>>;

/** What an initialiser sees for one layer. */
export interface LoraInitContext {
  /** Module path of the wrapped layer (`blocks.0.attn.q`), as in the config's patterns. */
  readonly modulePath: string;
  /** The adapter being initialised (`config.adapterName`). */
  readonly adapterName: string;
  /** The base layer's current weight `[out, in]`. Owned by the layer: read it, never dispose it. */
  readonly weight: tf.Tensor2D;
  /** The layer's input width `in`. */
  readonly inFeatures: number;
  /** The layer's output width `out`. */
  readonly outFeatures: number;
  /** This layer's rank (after `rankPattern`), >= 1. */
  readonly r: number;
  /** This layer's alpha (after `alphaPattern`). */
  readonly alpha: number;
  /** `alpha / r`, or `alpha / sqrt(r)` with rsLoRA. */
  readonly scaling: number;
  /** A generator derived from the config's seed, the adapter name and the module path. */
  readonly rng: Rng;
  /** The options from `config.init`, already checked by `validateOptions`. */
  readonly options: InitializerOptions;
}

/** New tensors; the caller takes ownership of all of them. */
export interface LoraInitResult {
  /** `lora_A`: `[r, in]`. */
  readonly a: tf.Tensor2D;
  /** `lora_B`: `[out, r]`. */
  readonly b: tf.Tensor2D;
  /**
   * A replacement base weight `[out, in]` (PiSSA, OLoRA: `W - scaling * B @ A`). The caller keeps a
   * copy of the original so the adapter can be saved as a plain LoRA delta and the base restored.
   */
  readonly residualWeight?: tf.Tensor2D;
}

/**
 * How one LoRA initialisation method fills `A` and `B` (and possibly rewrites the base weight).
 * Registered by name with {@link registerInitializer}; selected by `config.init`.
 */
export interface LoraInitializer {
  /** True when `initialize` returns a `residualWeight`. Loading an adapter re-runs only these. */
  readonly mutatesBaseWeight: boolean;
  /** The `init_lora_weights` value PEFT writes for this method and these options. */
  peftInitValue(options: InitializerOptions): boolean | string;
  /**
   * The options this initialiser reads from a PEFT `init_lora_weights` value, or `null` when the
   * value is not this initialiser's (`"pissa_niter_4"` -> `{ niter: 4 }` for PiSSA).
   */
  fromPeftInitValue(value: boolean | string): InitializerOptions | null;
  /** Throws, naming the option, when `options` are unusable. Called when the config is parsed. */
  validateOptions(options: InitializerOptions): void;
  /** New `A: [r, in]` and `B: [out, r]` for one layer (and a residual base weight when `mutatesBaseWeight`); must not leak tensors. */
  initialize(context: LoraInitContext): LoraInitResult;
}
