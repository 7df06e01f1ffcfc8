import type * as tf from '@tensorflow/tfjs-core';
import type { Dropout, Linear, Parameter } from '@peftjs/core';

/** One adapter of a {@link LoraLinear}, as variants and callers see it. */
export interface LoraAdapterState {
  /** The adapter name (`default`, ...). */
  readonly name: string;
  /** Rank. */
  readonly r: number;
  /** `lora_alpha`. */
  readonly alpha: number;
  /** `alpha / r` (or `alpha / sqrt(r)` with rsLoRA). */
  readonly scaling: number;
  /** Whether `scaling` uses rsLoRA's `sqrt(r)`. */
  readonly useRslora: boolean;
  /** `lora_A.<name>.weight`: `[r, in]`. */
  readonly loraA: Parameter;
  /** `lora_B.<name>.weight`: `[out, r]`. */
  readonly loraB: Parameter;
  /** `lora_dropout.<name>`, or `null` when the probability is 0. */
  readonly dropout: Dropout | null;
  /** The variant that computes this adapter's forward and merge. */
  readonly variant: LoraVariant;
  /** The variant's extra parameters by PEFT module name (DoRA: `lora_magnitude_vector`). */
  readonly extra: ReadonlyMap<string, Parameter>;
  /** Scratch space owned by the variant (DoRA keeps the weight norm between merge and unmerge). Tensors here are disposed with the adapter. */
  readonly cache: Map<string, tf.Tensor>;
}

/** The 2-D tensors a variant's forward receives; all `[n, *]`. */
export interface LoraForwardInputs {
  /** The layer input `[n, in]`. */
  readonly x: tf.Tensor2D;
  /** `dropout(x)`; the same tensor as `x` when no dropout applies. */
  readonly dropped: tf.Tensor2D;
  /** The base layer's output `[n, out]` (bias included). */
  readonly baseOutput: tf.Tensor2D;
}

/**
 * How a LoRA flavour computes its output and folds into the base weight. Plain LoRA is one
 * implementation, DoRA another; `LoraLinear` calls these hooks and never asks which one it has.
 * All hooks run inside the caller's `tf.tidy`.
 */
export interface LoraVariant {
  /** The registry name (`lora`, `dora`). */
  readonly name: string;
  /** The boolean field of PEFT's `adapter_config.json` that selects this variant (`use_dora`), or `null`. */
  readonly peftConfigFlag: string | null;
  /** The keys `createParameters` returns (DoRA: `['lora_magnitude_vector']`); loaders read these from adapter files. */
  readonly parameterNames: readonly string[];
  /**
   * Extra trainable tensors for a new adapter, keyed by PEFT module name; stored as
   * `<path>.<key>.<adapter>.weight` and saved as `base_model.model.<path>.<key>`.
   * Called once A, B and the base weight are final. The caller owns the returned tensors.
   */
  createParameters(base: Linear, adapter: LoraAdapterState): Record<string, tf.Tensor>;
  /** The layer's full output `[n, out]`. */
  forward(base: Linear, adapter: LoraAdapterState, inputs: LoraForwardInputs): tf.Tensor2D;
  /** The merged weight `[out, in]` for base weight `weight`. */
  mergedWeight(base: Linear, adapter: LoraAdapterState, weight: tf.Tensor2D): tf.Tensor2D;
  /** The base weight recovered from a merged weight. */
  unmergedWeight(base: Linear, adapter: LoraAdapterState, merged: tf.Tensor2D): tf.Tensor2D;
}
