// Test support only (not exported): a GPT-style model small enough for unit tests.
import * as tf from '@tensorflow/tfjs-core';
import { Embedding, LayerNorm, Linear, Module, ModuleList, Rng } from '@peftjs/core';

export interface TinyOptions {
  vocab?: number;
  dim?: number;
  layers?: number;
  /** Run the attention's LayerNorm once per projection: q/k/v then get equal but distinct tensor objects. */
  recomputeNorm?: boolean;
  seed?: number;
}

class Attention extends Module {
  constructor(dim: number, rng: Rng) {
    super();
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) this.registerModule(n, new Linear(dim, dim, { rng }));
  }
  /** `xs`: the input of q, k and v (the same tensor, or three equal ones). Causal single-head attention. */
  forward(x: tf.Tensor): tf.Tensor {
    return this.attend([x, x, x]);
  }
  attend([xq, xk, xv]: [tf.Tensor, tf.Tensor, tf.Tensor]): tf.Tensor {
    return tf.tidy(() => {
      const q = this.child('q_proj').call(xq) as tf.Tensor3D; // [B, T, d]
      const k = this.child('k_proj').call(xk) as tf.Tensor3D;
      const v = this.child('v_proj').call(xv) as tf.Tensor3D;
      const [, t, d] = q.shape;
      const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(d)); // [B, T, T]
      const causal = tf.linalg.bandPart(tf.ones([t, t]), -1, 0);
      const masked = tf.add(scores, tf.mul(tf.sub(1, causal), -1e9));
      return this.child('o_proj').call(tf.matMul(tf.softmax(masked), v));
    });
  }
}

class Mlp extends Module {
  constructor(dim: number, rng: Rng) {
    super();
    this.registerModule('fc', new Linear(dim, 2 * dim, { rng }));
    this.registerModule('proj', new Linear(2 * dim, dim, { rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('proj').call(tf.relu(this.child('fc').call(x))));
  }
}

class Block extends Module {
  constructor(
    dim: number,
    rng: Rng,
    private readonly recomputeNorm: boolean,
  ) {
    super();
    this.registerModule('ln_1', new LayerNorm(dim));
    this.registerModule('attn', new Attention(dim, rng));
    this.registerModule('ln_2', new LayerNorm(dim));
    this.registerModule('mlp', new Mlp(dim, rng));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const ln1 = this.child('ln_1');
      const attn = this.child<Attention>('attn');
      const a = this.recomputeNorm ? attn.attend([ln1.call(x), ln1.call(x), ln1.call(x)]) : attn.call(ln1.call(x));
      const h = tf.add(x, a);
      return tf.add(h, this.child('mlp').call(this.child('ln_2').call(h)));
    });
  }
}

/** Embedding, `layers` blocks (q/k/v/o attention + fc/proj MLP), final norm and an untied lm_head. */
export class TinyTransformer extends Module {
  readonly vocab: number;
  readonly dim: number;
  constructor(options: TinyOptions = {}) {
    super();
    this.vocab = options.vocab ?? 11;
    this.dim = options.dim ?? 8;
    const rng = new Rng(options.seed ?? 7);
    this.registerModule('wte', new Embedding(this.vocab, this.dim, { rng, std: 0.5 }));
    this.registerModule(
      'h',
      new ModuleList(
        Array.from({ length: options.layers ?? 2 }, () => new Block(this.dim, rng, options.recomputeNorm ?? false)),
      ),
    );
    this.registerModule('ln_f', new LayerNorm(this.dim));
    this.registerModule('lm_head', new Linear(this.dim, this.vocab, { rng, bias: false }));
  }
  /** `ids: int32 [B, T]` -> logits `[B, T, vocab]`. */
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let x = this.child('wte').call(ids);
      for (const block of this.child<ModuleList<Block>>('h')) x = block.call(x);
      return this.child('lm_head').call(this.child('ln_f').call(x));
    });
  }
}

/** A token batch with right padding (`lengths[i]` real tokens) and labels masked (-100) on the first `prompt` tokens and on padding. */
export function paddedBatch(rng: Rng, vocab: number, lengths: readonly number[], t: number, prompt: number) {
  const b = lengths.length;
  const ids: number[] = [];
  const mask: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < t; j++) {
      const real = j < (lengths[i] as number);
      const id = real ? rng.int(vocab) : 0;
      ids.push(id);
      mask.push(real ? 1 : 0);
      labels.push(real && j >= prompt ? id : -100);
    }
  }
  return {
    inputIds: tf.tensor2d(ids, [b, t], 'int32'),
    attentionMask: tf.tensor2d(mask, [b, t], 'int32'),
    labels: tf.tensor2d(labels, [b, t], 'int32'),
    js: { ids, mask, labels },
  };
}
