import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module';
import { Parameter } from './parameter';
import { assertPositiveInt } from './linear';
import { layerNorm } from './fused/layer-norm';
import { rmsNorm } from './fused/rms-norm';

/** Layer normalisation over the last axis: `(x - mean) / sqrt(var + eps) * weight + bias`. */
export class LayerNorm extends Module {
  /** Width `d` of the normalised last axis; `weight` and `bias` are `[d]`. */
  readonly dim: number;
  /** Added to the variance (default 1e-5, as `torch.nn.LayerNorm`). */
  readonly eps: number;

  constructor(dim: number, options: { eps?: number; bias?: boolean } = {}) {
    super();
    assertPositiveInt('dim', dim);
    this.dim = dim;
    this.eps = options.eps ?? 1e-5;
    this.registerParameter('weight', new Parameter(tf.ones([dim])));
    if (options.bias ?? true) this.registerParameter('bias', new Parameter(tf.zeros([dim])));
  }

  /** `x: [..., dim]` -> same shape, through the fused {@link layerNorm} helper. */
  forward(x: tf.Tensor): tf.Tensor {
    return layerNorm(x, (this.parameter('weight') as Parameter).value, this.parameter('bias')?.value ?? null, this.eps);
  }
}

/** Root-mean-square normalisation (Llama): `x / sqrt(mean(x^2) + eps) * weight`. */
export class RMSNorm extends Module {
  /** Width `d` of the normalised last axis; `weight` is `[d]`. */
  readonly dim: number;
  /** Added to `mean(x^2)` (default 1e-6, as HF `LlamaRMSNorm`). */
  readonly eps: number;

  constructor(dim: number, options: { eps?: number } = {}) {
    super();
    assertPositiveInt('dim', dim);
    this.dim = dim;
    this.eps = options.eps ?? 1e-6;
    this.registerParameter('weight', new Parameter(tf.ones([dim])));
  }

  /** `x: [..., dim]` -> same shape, through the fused {@link rmsNorm} helper. */
  forward(x: tf.Tensor): tf.Tensor {
    return rmsNorm(x, (this.parameter('weight') as Parameter).value, this.eps);
  }
}
