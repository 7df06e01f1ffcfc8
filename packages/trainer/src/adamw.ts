import * as tf from '@tensorflow/tfjs-core';
import { assertFiniteNonNegative, assertUnitInterval } from './optimizer';
import type { NamedParameter, Optimizer, OptimizerState } from './optimizer';
import { SlotStore } from './slot-store';
import { checkParameterGroups, weightDecayFor } from './parameter-groups';
import type { ParameterGroup, StepContext } from './parameter-groups';

/** Options of the {@link AdamW} constructor (defaults as `torch.optim.AdamW`). */
export interface AdamWOptions {
  /** Base learning rate (default 1e-3, as PyTorch). */
  learningRate?: number;
  /** `[beta1, beta2]` (default `[0.9, 0.999]`). */
  betas?: readonly [number, number];
  /** Added to the denominator (default 1e-8). */
  eps?: number;
  /**
   * Decoupled weight decay coefficient (default 0.01, as PyTorch's AdamW). Under `train()`, biases
   * and norm weights take none (Hugging Face Trainer's default groups, see `decayParameterNames`).
   */
  weightDecay?: number;
  /** Groups with their own weight decay; the first group listing a parameter decides. */
  parameterGroups?: readonly ParameterGroup[];
}

/**
 * AdamW with decoupled weight decay and bias correction, step for step as `torch.optim.AdamW`
 * (PyTorch 1.13, `amsgrad=False`, single-tensor path; Loshchilov & Hutter 2019, Algorithm 2):
 *
 * ```
 * t += 1
 * p  = p * (1 - lr * weight_decay)
 * m  = beta1 * m + (1 - beta1) * g
 * v  = beta2 * v + (1 - beta2) * g^2
 * p  = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * ```
 * State per parameter: `exp_avg`, `exp_avg_sq` (tensors) and `step` (a number), as PyTorch names them.
 *
 * `weight_decay` is per parameter: its `parameterGroups` entry's, else 0 for the parameters the
 * trainer exempts (`context.noDecay`: biases and norm weights, as Hugging Face's Trainer builds its
 * two groups), else `weightDecay`. Called without a context, it decays every parameter, as a bare
 * `torch.optim.AdamW(params)` does.
 */
export class AdamW implements Optimizer {
  readonly kind = 'adamw';
  readonly learningRate: number;
  /** Decay rate of the first-moment average `m` (`betas[0]`). */
  readonly beta1: number;
  /** Decay rate of the second-moment average `v` (`betas[1]`). */
  readonly beta2: number;
  /** Added to the denominator for numerical stability. */
  readonly eps: number;
  /** Default decoupled weight decay coefficient. */
  readonly weightDecay: number;
  /** The validated groups with their own weight decay (`[]` for none). */
  readonly parameterGroups: readonly ParameterGroup[];
  private readonly slots = new SlotStore('adamw', ['exp_avg', 'exp_avg_sq']);

  constructor(options: AdamWOptions = {}) {
    this.learningRate = options.learningRate ?? 1e-3;
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0.01;
    assertFiniteNonNegative('AdamW', 'learningRate', this.learningRate);
    assertUnitInterval('AdamW', 'betas[0]', this.beta1);
    assertUnitInterval('AdamW', 'betas[1]', this.beta2);
    assertFiniteNonNegative('AdamW', 'eps', this.eps);
    assertFiniteNonNegative('AdamW', 'weightDecay', this.weightDecay);
    this.parameterGroups = checkParameterGroups('AdamW', options.parameterGroups);
  }

  get config(): Readonly<Record<string, number>> {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weightDecay: this.weightDecay,
    };
  }

  step(
    parameters: readonly NamedParameter[],
    grads: ReadonlyMap<string, tf.Tensor>,
    lr: number,
    context?: StepContext,
  ): void {
    for (const [name, parameter] of parameters) {
      const g = grads.get(name);
      if (g === undefined) continue;
      const weightDecay = weightDecayFor(name, this.parameterGroups, this.weightDecay, context);
      const slot = this.slots.getOrCreate(name, parameter.value);
      const t = slot.step + 1;
      const stepSize = lr / (1 - this.beta1 ** t);
      const bias2Sqrt = Math.sqrt(1 - this.beta2 ** t);
      const [p, m, v] = tf.tidy(() => {
        const decayed = weightDecay === 0 ? parameter.value : tf.mul(parameter.value, 1 - lr * weightDecay);
        const m1 = tf.add(tf.mul(slot.tensors.exp_avg as tf.Tensor, this.beta1), tf.mul(g, 1 - this.beta1));
        const v1 = tf.add(
          tf.mul(slot.tensors.exp_avg_sq as tf.Tensor, this.beta2),
          tf.mul(tf.mul(g, g), 1 - this.beta2),
        );
        const denom = tf.add(tf.div(tf.sqrt(v1), bias2Sqrt), this.eps);
        return [tf.sub(decayed, tf.mul(tf.div(m1, denom), stepSize)), m1, v1];
      }) as [tf.Tensor, tf.Tensor, tf.Tensor];
      parameter.value.assign(p);
      p.dispose();
      this.slots.replace(name, { exp_avg: m, exp_avg_sq: v }, t);
    }
  }

  getState(): OptimizerState {
    return this.slots.getState();
  }

  setState(state: OptimizerState): void {
    this.slots.setState(state);
  }

  dispose(): void {
    this.slots.dispose();
  }
}
