import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Parameter } from './parameter';
import { Rng } from './rng';
import { onLastAxis } from './matmul';
import { linear } from './fused/linear';

/** Options of the {@link Linear} constructor. */
export interface LinearOptions {
  /** Add a bias vector (default true, as PyTorch). */
  bias?: boolean;
  /** Seeded generator for the kaiming-uniform init; default `new Rng(0)`. */
  rng?: Rng;
}

/**
 * `y = x @ W^T + b` with `W: [out, in]` in PyTorch layout, initialised as `nn.Linear`
 * (kaiming-uniform with a = sqrt(5): U(-1/sqrt(in), 1/sqrt(in)) for W and b).
 */
export class Linear extends Module {
  /** Input width `in` (last axis of `x`). */
  readonly inFeatures: number;
  /** Output width `out`. */
  readonly outFeatures: number;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    assertPositiveInt('inFeatures', inFeatures);
    assertPositiveInt('outFeatures', outFeatures);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const rng = options.rng ?? new Rng(0);
    const bound = 1 / Math.sqrt(inFeatures);
    this.registerParameter(
      'weight',
      new Parameter(tf.tensor2d(rng.uniformArray(outFeatures * inFeatures, -bound, bound), [outFeatures, inFeatures])),
    );
    if (options.bias ?? true) {
      this.registerParameter('bias', new Parameter(tf.tensor1d(rng.uniformArray(outFeatures, -bound, bound))));
    }
  }

  /** `W: [out, in]` float32. */
  get weight(): Parameter {
    return this.parameter('weight') as Parameter;
  }

  /** `b: [out]` float32, or `null` when built with `bias: false`. */
  get bias(): Parameter | null {
    return this.parameter('bias');
  }

  /**
   * `x: [..., in]` -> `[..., out]`, through the fused {@link linear} helper on `[N, in]`.
   * @throws Error when the last axis of `x` is not `inFeatures`.
   */
  forward(x: tf.Tensor): tf.Tensor {
    const width = x.shape[x.rank - 1];
    if (width !== this.inFeatures) {
      throw new Error(
        `Linear expects inputs with last dimension ${this.inFeatures}, got shape [${x.shape.join(', ')}]`,
      );
    }
    return tf.tidy(() =>
      onLastAxis(x, (x2d) => linear(x2d, this.weight.value as tf.Tensor2D, this.bias?.value ?? null)),
    );
  }
}

export function assertPositiveInt(field: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${field} must be a positive integer, got ${value}`);
}
