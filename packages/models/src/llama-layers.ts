import * as tf from '@tensorflow/tfjs-core';
import { Linear, Module, RMSNorm, attention, type Rng } from '@peftjs/core';
import { getActivation } from './activations';
import { mergeHeads, splitHeads } from './attention';
import type { DecoderConfig } from './decoder-config';
import type { KvCacheLayer } from './kv-cache';
import { OffsetRMSNorm } from './offset-rms-norm';
import { applyRope } from './rope';

/** What every decoder layer needs besides the hidden states: the attention bias and RoPE tables of its attention kind. */
export interface LlamaLayerContext {
  /** Additive attention bias `[B|1, 1, T, T_past + T]` float32 (0 or {@link MASKED}). */
  readonly bias: tf.Tensor4D; // [B|1, 1, T, T_past + T]
  /** RoPE cosines `[B, 1, T, headDim]` float32 at the batch's positions. */
  readonly cos: tf.Tensor4D; // [B, 1, T, D]
  /** RoPE sines `[B, 1, T, headDim]` float32. */
  readonly sin: tf.Tensor4D;
}

/** The family's RMSNorm: `weight` (Llama, Qwen, Mistral) or `1 + weight` (Gemma). */
export function decoderNorm(config: DecoderConfig, dim: number): Module {
  return config.normOffset === 1
    ? new OffsetRMSNorm(dim, config.rmsNormEps)
    : new RMSNorm(dim, { eps: config.rmsNormEps });
}

/** `softmax(cap * tanh(q k^T * scale / cap) + bias) v` (Gemma's attention soft-capping, HF `eager_attention_forward`). */
function softCappedAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor4D,
  scale: number,
  cap: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const scores = tf.mul(tf.tanh(tf.div(tf.mul(tf.matMul(q, k, false, true), scale), cap)), cap); // [B, H, T, T]
    return tf.matMul(tf.softmax(tf.add(scores, bias), -1), v) as tf.Tensor4D;
  });
}

/**
 * Attention of the Llama-like families (HF `LlamaAttention`, `MistralAttention`, `Qwen2Attention`,
 * `Qwen3Attention`, `Gemma3Attention`): separate `q_proj`, `k_proj`, `v_proj`, `o_proj`; optional
 * per-head `q_norm`/`k_norm` before RoPE; grouped-query attention, where query head `h` reads
 * key/value head `floor(h / (H / H_kv))` (HF's `repeat_kv`).
 */
export class LlamaAttention extends Module<[tf.Tensor, LlamaLayerContext, KvCacheLayer?], tf.Tensor> {
  /** Query heads (`num_attention_heads`). */
  readonly heads: number;
  /** Key/value heads (`num_key_value_heads`); each serves `heads / kvHeads` query heads (grouped-query attention). */
  readonly kvHeads: number;
  /** Width per head (`head_dim`). */
  readonly headDim: number;
  private readonly scale: number;
  private readonly softcap: number | null;
  private readonly qkNorm: boolean;

  constructor(config: DecoderConfig, rng: Rng) {
    super();
    this.heads = config.numAttentionHeads;
    this.kvHeads = config.numKeyValueHeads;
    this.headDim = config.headDim;
    this.scale = config.attentionScale;
    this.softcap = config.attnLogitSoftcapping;
    this.qkNorm = config.qkNorm;
    const bias = config.qkvBias;
    const d = config.hiddenSize;
    this.registerModule('q_proj', new Linear(d, this.heads * this.headDim, { bias, rng }));
    this.registerModule('k_proj', new Linear(d, this.kvHeads * this.headDim, { bias, rng }));
    this.registerModule('v_proj', new Linear(d, this.kvHeads * this.headDim, { bias, rng }));
    this.registerModule('o_proj', new Linear(this.heads * this.headDim, d, { bias: config.outputBias, rng }));
    if (config.qkNorm) {
      this.registerModule('q_norm', decoderNorm(config, this.headDim));
      this.registerModule('k_norm', decoderNorm(config, this.headDim));
    }
  }

  /** `x: [B, T, d]` -> `[B, T, d]`; `kv`: this layer's cache slot (incremental decoding), fed the keys after RoPE. */
  forward(x: tf.Tensor, ctx: LlamaLayerContext, kv?: KvCacheLayer): tf.Tensor {
    return tf.tidy(() => {
      let q = splitHeads(this.child('q_proj').call(x), this.heads, this.headDim);
      let k = splitHeads(this.child('k_proj').call(x), this.kvHeads, this.headDim);
      let v = splitHeads(this.child('v_proj').call(x), this.kvHeads, this.headDim);
      if (this.qkNorm) {
        q = this.child('q_norm').call(q) as tf.Tensor4D;
        k = this.child('k_norm').call(k) as tf.Tensor4D;
      }
      q = applyRope(q, ctx.cos, ctx.sin);
      k = applyRope(k, ctx.cos, ctx.sin);
      [k, v] = kv?.append(k, v) ?? [k, v];
      const attn =
        this.softcap === null
          ? attention(q, this.repeatKv(k), this.repeatKv(v), ctx.bias, this.scale)
          : softCappedAttention(q, this.repeatKv(k), this.repeatKv(v), ctx.bias, this.scale, this.softcap);
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

/** Gated feed-forward (HF `LlamaMLP`, `Gemma3MLP`): `down_proj(act(gate_proj(x)) * up_proj(x))`. */
export class LlamaMlp extends Module {
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(config: DecoderConfig, rng: Rng) {
    super();
    this.act = getActivation(config.hiddenAct, `${config.modelType} config field "hidden_act"`);
    const bias = config.mlpBias;
    this.registerModule('gate_proj', new Linear(config.hiddenSize, config.intermediateSize, { bias, rng }));
    this.registerModule('up_proj', new Linear(config.hiddenSize, config.intermediateSize, { bias, rng }));
    this.registerModule('down_proj', new Linear(config.intermediateSize, config.hiddenSize, { bias, rng }));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      this.child('down_proj').call(tf.mul(this.act(this.child('gate_proj').call(x)), this.child('up_proj').call(x))),
    );
  }
}

/**
 * A pre-norm decoder layer (HF `LlamaDecoderLayer`): `h = x + attn(input_layernorm(x))`,
 * `h + mlp(post_attention_layernorm(h))`. With `sandwichNorms` (HF `Gemma3DecoderLayer`):
 * `h = x + post_attention_layernorm(attn(input_layernorm(x)))`,
 * `h + post_feedforward_layernorm(mlp(pre_feedforward_layernorm(h)))`.
 */
export class LlamaDecoderLayer extends Module<[tf.Tensor, LlamaLayerContext, KvCacheLayer?], tf.Tensor> {
  private readonly sandwich: boolean;

  constructor(config: DecoderConfig, rng: Rng) {
    super();
    this.sandwich = config.sandwichNorms;
    this.registerModule('self_attn', new LlamaAttention(config, rng));
    this.registerModule('mlp', new LlamaMlp(config, rng));
    this.registerModule('input_layernorm', decoderNorm(config, config.hiddenSize));
    this.registerModule('post_attention_layernorm', decoderNorm(config, config.hiddenSize));
    if (this.sandwich) {
      this.registerModule('pre_feedforward_layernorm', decoderNorm(config, config.hiddenSize));
      this.registerModule('post_feedforward_layernorm', decoderNorm(config, config.hiddenSize));
    }
  }

  forward(x: tf.Tensor, ctx: LlamaLayerContext, kv?: KvCacheLayer): tf.Tensor {
    return tf.tidy(() => {
      const attn = this.child<LlamaAttention>('self_attn').call(this.child('input_layernorm').call(x), ctx, kv);
      if (!this.sandwich) {
        const h = tf.add(x, attn);
        return tf.add(h, this.child('mlp').call(this.child('post_attention_layernorm').call(h)));
      }
      const h = tf.add(x, this.child('post_attention_layernorm').call(attn));
      const m = this.child('mlp').call(this.child('pre_feedforward_layernorm').call(h));
      return tf.add(h, this.child('post_feedforward_layernorm').call(m));
    });
  }
}
