import * as tf from '@tensorflow/tfjs-core';
import { Dropout, LayerNorm, Linear, Module, Rng, attention } from '@peftjs/core';
import { getActivation } from './activations';
import { mergeHeads, splitHeads } from './attention';
import type { Gpt2Config } from './gpt2-config';
import type { KvCacheLayer } from './kv-cache';

/**
 * GPT-2 causal self-attention (HF `GPT2Attention`): `c_attn` projects to q, k, v at once,
 * `c_proj` mixes the heads. Hugging Face stores both as `Conv1D` (`[in, out]`); here they are core
 * `Linear` layers (`[out, in]`) and the loader transposes.
 */
export class Gpt2Attention extends Module<[tf.Tensor, tf.Tensor4D, KvCacheLayer?], tf.Tensor> {
  /** Attention heads `H` (`n_head`). */
  readonly nHead: number;
  /** Width per head: `n_embd / n_head`. */
  readonly headDim: number;

  constructor(config: Gpt2Config, rng: Rng) {
    super();
    this.nHead = config.nHead;
    this.headDim = config.nEmbd / config.nHead;
    this.registerModule('c_attn', new Linear(config.nEmbd, 3 * config.nEmbd, { rng }));
    this.registerModule('c_proj', new Linear(config.nEmbd, config.nEmbd, { rng }));
    this.registerModule('attn_dropout', new Dropout(config.attnPdrop, Rng.derive(rng.int(2 ** 31), 'attn_dropout')));
    this.registerModule('resid_dropout', new Dropout(config.residPdrop, Rng.derive(rng.int(2 ** 31), 'resid_dropout')));
  }

  /** `x: [B, T, d]`, `bias: [B|1, 1, T, T_past + T]` -> `[B, T, d]`; `kv`: this layer's cache slot (incremental decoding). */
  forward(x: tf.Tensor, bias: tf.Tensor4D, kv?: KvCacheLayer): tf.Tensor {
    return tf.tidy(() => {
      const d = this.nHead * this.headDim;
      const qkv = this.child('c_attn').call(x); // [B, T, 3d]
      const [q, k, v] = tf.split(qkv, [d, d, d], -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const drop = this.child<Dropout>('attn_dropout');
      const [keys, values] = kv?.append(
        splitHeads(k, this.nHead, this.headDim),
        splitHeads(v, this.nHead, this.headDim),
      ) ?? [splitHeads(k, this.nHead, this.headDim), splitHeads(v, this.nHead, this.headDim)];
      const attn = attention(
        splitHeads(q, this.nHead, this.headDim),
        keys,
        values,
        bias,
        1 / Math.sqrt(this.headDim),
        drop.training && drop.p > 0 ? (p) => drop.call(p) : undefined,
      );
      return this.child('resid_dropout').call(this.child('c_proj').call(mergeHeads(attn)));
    });
  }
}

/** GPT-2 feed-forward (HF `GPT2MLP`): `c_proj(act(c_fc(x)))`, dropout on the output. */
export class Gpt2Mlp extends Module {
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(config: Gpt2Config, rng: Rng) {
    super();
    this.act = getActivation(config.activationFunction, 'GPT-2 config field "activation_function"');
    this.registerModule('c_fc', new Linear(config.nEmbd, config.nInner, { rng }));
    this.registerModule('c_proj', new Linear(config.nInner, config.nEmbd, { rng }));
    this.registerModule('dropout', new Dropout(config.residPdrop, Rng.derive(rng.int(2 ** 31), 'mlp_dropout')));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('dropout').call(this.child('c_proj').call(this.act(this.child('c_fc').call(x)))));
  }
}

/** A pre-LayerNorm GPT-2 block (HF `GPT2Block`): `x + attn(ln_1(x))`, then `x + mlp(ln_2(x))`. */
export class Gpt2Block extends Module<[tf.Tensor, tf.Tensor4D, KvCacheLayer?], tf.Tensor> {
  constructor(config: Gpt2Config, rng: Rng) {
    super();
    this.registerModule('ln_1', new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon }));
    this.registerModule('attn', new Gpt2Attention(config, rng));
    this.registerModule('ln_2', new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon }));
    this.registerModule('mlp', new Gpt2Mlp(config, rng));
  }

  forward(x: tf.Tensor, bias: tf.Tensor4D, kv?: KvCacheLayer): tf.Tensor {
    return tf.tidy(() => {
      const attn = this.child<Gpt2Attention>('attn');
      const h = tf.add(x, attn.call(this.child('ln_1').call(x), bias, kv));
      return tf.add(h, this.child('mlp').call(this.child('ln_2').call(h)));
    });
  }
}
