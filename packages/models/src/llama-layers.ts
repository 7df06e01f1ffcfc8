import * as tf from '@tensorflow/tfjs';
import { Linear, Module, RMSNorm, type Rng } from '@peftjs/core';
import { getActivation } from './activations';
import { mergeHeads, scaledDotProductAttention, splitHeads } from './attention';
import type { LlamaConfig } from './llama-config';
import { applyRope } from './rope';

/** What every Llama layer needs besides the hidden states: the attention bias and RoPE tables. */
export interface LlamaLayerContext {
  readonly bias: tf.Tensor4D; // [B|1, 1, T, T]
  readonly cos: tf.Tensor4D; // [B, 1, T, D]
  readonly sin: tf.Tensor4D;
}

/**
 * Llama attention (HF `LlamaAttention`): separate `q_proj`, `k_proj`, `v_proj`, `o_proj`; RoPE on
 * queries and keys; grouped-query attention, where query head `h` reads key/value head
 * `floor(h / (H / H_kv))` (HF's `repeat_kv`).
 */
export class LlamaAttention extends Module<[tf.Tensor, LlamaLayerContext], tf.Tensor> {
  readonly heads: number;
  readonly kvHeads: number;
  readonly headDim: number;

  constructor(config: LlamaConfig, rng: Rng) {
    super();
    this.heads = config.numAttentionHeads;
    this.kvHeads = config.numKeyValueHeads;
    this.headDim = config.headDim;
    const bias = config.attentionBias;
    const d = config.hiddenSize;
    this.registerModule('q_proj', new Linear(d, this.heads * this.headDim, { bias, rng }));
    this.registerModule('k_proj', new Linear(d, this.kvHeads * this.headDim, { bias, rng }));
    this.registerModule('v_proj', new Linear(d, this.kvHeads * this.headDim, { bias, rng }));
    this.registerModule('o_proj', new Linear(this.heads * this.headDim, d, { bias, rng }));
  }

  forward(x: tf.Tensor, ctx: LlamaLayerContext): tf.Tensor {
    return tf.tidy(() => {
      const q = applyRope(splitHeads(this.child('q_proj').call(x), this.heads, this.headDim), ctx.cos, ctx.sin);
      const k = applyRope(splitHeads(this.child('k_proj').call(x), this.kvHeads, this.headDim), ctx.cos, ctx.sin);
      const v = splitHeads(this.child('v_proj').call(x), this.kvHeads, this.headDim);
      const attn = scaledDotProductAttention(q, this.repeatKv(k), this.repeatKv(v), ctx.bias, 1 / Math.sqrt(this.headDim));
      return this.child('o_proj').call(mergeHeads(attn));
    });
  }

  /** `[B, H_kv, T, D] -> [B, H, T, D]`, each kv head repeated `H / H_kv` times in place. */
  private repeatKv(x: tf.Tensor4D): tf.Tensor4D {
    const rep = this.heads / this.kvHeads;
    if (rep === 1) return x;
    const [b, hkv, t, d] = x.shape;
    // Rank 4 throughout: tfjs has no tile gradient for rank 5.
    return tf.reshape(tf.tile(tf.reshape(x, [b, hkv, 1, t * d]), [1, 1, rep, 1]), [b, hkv * rep, t, d]) as tf.Tensor4D;
  }
}

/** SwiGLU feed-forward (HF `LlamaMLP`): `down_proj(act(gate_proj(x)) * up_proj(x))`. */
export class LlamaMlp extends Module {
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(config: LlamaConfig, rng: Rng) {
    super();
    this.act = getActivation(config.hiddenAct, 'Llama config field "hidden_act"');
    const bias = config.mlpBias;
    this.registerModule('gate_proj', new Linear(config.hiddenSize, config.intermediateSize, { bias, rng }));
    this.registerModule('up_proj', new Linear(config.hiddenSize, config.intermediateSize, { bias, rng }));
    this.registerModule('down_proj', new Linear(config.intermediateSize, config.hiddenSize, { bias, rng }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('down_proj').call(tf.mul(this.act(this.child('gate_proj').call(x)), this.child('up_proj').call(x))));
  }
}

/** A pre-RMSNorm Llama decoder layer (HF `LlamaDecoderLayer`). */
export class LlamaDecoderLayer extends Module<[tf.Tensor, LlamaLayerContext], tf.Tensor> {
  constructor(config: LlamaConfig, rng: Rng) {
    super();
    this.registerModule('self_attn', new LlamaAttention(config, rng));
    this.registerModule('mlp', new LlamaMlp(config, rng));
    this.registerModule('input_layernorm', new RMSNorm(config.hiddenSize, { eps: config.rmsNormEps }));
    this.registerModule('post_attention_layernorm', new RMSNorm(config.hiddenSize, { eps: config.rmsNormEps }));
  }

  forward(x: tf.Tensor, ctx: LlamaLayerContext): tf.Tensor {
    return tf.tidy(() => {
      const attn = this.child<LlamaAttention>('self_attn');
      const h = tf.add(x, attn.call(this.child('input_layernorm').call(x), ctx));
      return tf.add(h, this.child('mlp').call(this.child('post_attention_layernorm').call(h)));
    });
  }
}
