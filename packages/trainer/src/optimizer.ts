import type * as tf from '@tensorflow/tfjs-core';
import type { Parameter } from '@peftjs/core';
import type { StepContext } from './parameter-groups';

/** A parameter and the dotted name it is checkpointed under (`h.0.attn.c_attn.lora_A.weight`). */
export type NamedParameter = readonly [name: string, parameter: Parameter];

/**
 * Everything an optimizer needs to resume exactly: per-parameter tensors (moments, momentum
 * buffers) keyed `<parameter name>.<slot>`, plus JSON-safe numbers (step counts).
 * The tensors belong to the optimizer; {@link Optimizer.getState} returns them without copying,
 * so do not dispose them.
 */
export interface OptimizerState {
  /** The optimizer's `kind` (a state saved by one kind does not load into another). */
  readonly kind: string;
  /** Slot tensors keyed `<parameter name>.<slot>` (AdamW: `exp_avg`, `exp_avg_sq`; SGD: `momentum_buffer`), float32. */
  readonly tensors: Record<string, tf.Tensor>;
  /** Numbers, e.g. `<parameter name>.step`: the steps each parameter has taken. */
  readonly scalars: Record<string, number>;
}

/**
 * The optimizer plug point: updates parameters in place from their gradients.
 *
 * Implementations keep their state as tf tensors so it can be saved bit-exactly, and allocate it
 * lazily on the first step a parameter receives a gradient (as PyTorch does).
 */
export interface Optimizer {
  /** Stable name written into checkpoints (`adamw`, `sgd`, or your own). */
  readonly kind: string;
  /** The base learning rate; the trainer multiplies it by the schedule. */
  readonly learningRate: number;
  /** JSON-safe hyper-parameters, recorded in `trainer_state.json`. */
  readonly config: Readonly<Record<string, number | boolean>>;
  /**
   * One update with learning rate `lr` (already scheduled). `grads` maps parameter names to
   * gradients (the caller keeps ownership); parameters without a gradient are left untouched.
   * `context.noDecay` (from the trainer) names the parameters the default rule does not decay.
   */
  step(
    parameters: readonly NamedParameter[],
    grads: ReadonlyMap<string, tf.Tensor>,
    lr: number,
    context?: StepContext,
  ): void;
  /** The current state, for a checkpoint; its tensors stay owned by the optimizer. */
  getState(): OptimizerState;
  /** Replaces the state (the optimizer takes copies; the caller keeps ownership of `state`'s tensors). */
  setState(state: OptimizerState): void;
  /** Frees the state tensors. */
  dispose(): void;
}

export function assertFiniteNonNegative(owner: string, field: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0))
    throw new RangeError(`${owner}: ${field} must be a finite number >= 0, got ${value}`);
}

export function assertUnitInterval(owner: string, field: string, value: number): void {
  if (!(value >= 0 && value < 1)) throw new RangeError(`${owner}: ${field} must be in [0, 1), got ${value}`);
}
