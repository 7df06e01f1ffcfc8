import * as tf from '@tensorflow/tfjs-core';
import { assertFiniteNonNegative, assertUnitInterval } from './optimizer';
import type { NamedParameter, Optimizer, OptimizerState } from './optimizer';
import { SlotStore } from './slot-store';
import { checkParameterGroups, weightDecayFor } from './parameter-groups';
import type { ParameterGroup, StepContext } from './parameter-groups';

/** Options of the {@link Sgd} constructor (defaults as `torch.optim.SGD`, except the learning rate). */
export interface SgdOptions {
  /** Learning rate (default 1e-3). */
  learningRate?: number;
  /** Momentum factor in [0, 1) (default 0: plain SGD, no state). */
  momentum?: number;
  /** Dampening for momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (default false; needs momentum > 0 and dampening 0, as PyTorch). */
  nesterov?: boolean;
  /** L2 penalty added to the gradient (coupled, as `torch.optim.SGD`; default 0). Under `train()`, biases and norm weights take none. */
  weightDecay?: number;
  /** Groups with their own weight decay; the first group listing a parameter decides. */
  parameterGroups?: readonly ParameterGroup[];
}

/**
 * Stochastic gradient descent with optional (Nesterov) momentum, step for step as `torch.optim.SGD`:
 *
 * ```
 * d = g + weight_decay * p
 * buf = d                                   (first step)
 * buf = momentum * buf + (1 - dampening) * d (later steps)
 * d = nesterov ? d + momentum * buf : buf
 * p = p - lr * d
 * ```
 * `weight_decay` is per parameter, as in {@link AdamW}: group, else the trainer's exemptions, else `weightDecay`.
 */
export class Sgd implements Optimizer {
  readonly kind = 'sgd';
  readonly learningRate: number;
  /** Momentum factor in [0, 1); 0 keeps no state. */
  readonly momentum: number;
  /** Dampening of the momentum update. */
  readonly dampening: number;
  /** Whether the step uses Nesterov momentum. */
  readonly nesterov: boolean;
  /** Default L2 penalty added to the gradient. */
  readonly weightDecay: number;
  /** The validated groups with their own weight decay (`[]` for none). */
  readonly parameterGroups: readonly ParameterGroup[];
  private readonly slots: SlotStore;

  constructor(options: SgdOptions = {}) {
    this.learningRate = options.learningRate ?? 1e-3;
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    assertFiniteNonNegative('Sgd', 'learningRate', this.learningRate);
    assertUnitInterval('Sgd', 'momentum', this.momentum);
    assertFiniteNonNegative('Sgd', 'dampening', this.dampening);
    assertFiniteNonNegative('Sgd', 'weightDecay', this.weightDecay);
    this.parameterGroups = checkParameterGroups('Sgd', options.parameterGroups);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new RangeError(
        `Sgd: nesterov needs momentum > 0 and dampening 0 (got momentum ${this.momentum}, dampening ${this.dampening})`,
      );
    }
    this.slots = new SlotStore('sgd', this.momentum > 0 ? ['momentum_buffer'] : []);
  }

  get config(): Readonly<Record<string, number | boolean>> {
    return {
      learningRate: this.learningRate,
      momentum: this.momentum,
      dampening: this.dampening,
      nesterov: this.nesterov,
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
      const [p, buf] = tf.tidy(() => {
        let d = weightDecay === 0 ? g : tf.add(g, tf.mul(parameter.value, weightDecay));
        let nextBuf: tf.Tensor | null = null;
        if (this.momentum > 0) {
          const old = slot.tensors.momentum_buffer as tf.Tensor;
          nextBuf = slot.step === 0 ? tf.clone(d) : tf.add(tf.mul(old, this.momentum), tf.mul(d, 1 - this.dampening));
          d = this.nesterov ? tf.add(d, tf.mul(nextBuf, this.momentum)) : nextBuf;
        }
        const updated = tf.sub(parameter.value, tf.mul(d, lr));
        return nextBuf === null ? [updated] : [updated, nextBuf];
      }) as [tf.Tensor, tf.Tensor?];
      parameter.value.assign(p);
      p.dispose();
      this.slots.replace(name, buf === undefined ? {} : { momentum_buffer: buf }, slot.step + 1);
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
