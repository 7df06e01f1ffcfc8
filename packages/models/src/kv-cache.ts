import * as tf from '@tensorflow/tfjs-core';
import { PeftjsError } from '@peftjs/core';
import { MASKED } from './attention';

/** One layer's slot in a {@link KvCache}: what an attention layer calls with its new keys and values. */
export interface KvCacheLayer {
  /**
   * Appends this step's keys and values `[B, H_kv, T_new, D]` (after RoPE) to the layer's cache
   * and returns all of them, `[B, H_kv, T_past + T_new, D]`. The returned tensors belong to the
   * cache (kept outside `tf.tidy`); do not dispose them.
   */
  append(k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D];
}

/** What a model's trunk needs for one forward step over new tokens with a cache. */
export interface KvCacheStep {
  /** Tokens cached before this step. */
  readonly pastLength: number;
  /**
   * Position ids `[B, T_new]` int32 of the new tokens: `cumsum(mask) - 1` over the past and new
   * mask (1 at padding), as Hugging Face's `generate()`, so they continue the cached sequence.
   */
  positionIds(): tf.Tensor2D;
  /**
   * Additive bias `[B, 1, T_new, T_past + T_new]`: 0 where new query `i` (sequence index
   * `T_past + i`) may attend key `j` (`j <= T_past + i`, `T_past + i - j < slidingWindow` when
   * given, key `j` not padding), `MASKED` elsewhere; `attentionBias` extended to a past.
   */
  attentionBias(slidingWindow: number | null): tf.Tensor4D;
  /** The slot of decoder layer `index` (0-based). */
  layer(index: number): KvCacheLayer;
}

/**
 * A key/value cache for incremental decoding (Hugging Face's `DynamicCache`): each attention layer
 * keeps the keys and values of every token seen so far, so a decoding step runs the model on the
 * new token(s) only. Pass it as `cache` in the model inputs, with `inputIds` holding only the
 * tokens not yet cached (and their `attentionMask`, if any); the model's trunk calls {@link step}
 * once per forward and each attention layer appends through its slot. One mechanism for every
 * family: GPT-2 and the Llama-like families (Mistral, Qwen, Gemma 3, sliding windows included).
 *
 * The cache owns its tensors: {@link dispose} it when done. A forward that throws leaves it unusable.
 */
export class KvCache {
  private keys: (tf.Tensor4D | null)[] = [];
  private values: (tf.Tensor4D | null)[] = [];
  private mask: Int32Array = new Int32Array(0);
  private batch = -1;
  private cached = 0;

  /** Tokens cached (per row, padding included). */
  get length(): number {
    return this.cached;
  }

  /**
   * Starts a forward step over `newLength` tokens per row (`attentionMask`: their `[B, T_new]` mask,
   * all ones when absent). Called by a model's trunk, once per forward.
   * @throws PeftjsError `E_KV_CACHE_BATCH` when the batch size differs from the cached one.
   */
  step(batch: number, newLength: number, attentionMask?: tf.Tensor2D): KvCacheStep {
    if (this.batch !== -1 && batch !== this.batch)
      throw new PeftjsError(
        'E_KV_CACHE_BATCH',
        `KvCache: the cache holds ${this.batch} row(s) but the batch has ${batch}; use one cache per batch`,
      );
    this.batch = batch;
    const past = this.cached;
    const total = past + newLength;
    const fresh =
      attentionMask === undefined
        ? new Int32Array(batch * newLength).fill(1)
        : Int32Array.from(attentionMask.dataSync());
    // [B, T_past + T_new] host mask: rows of the old mask followed by the new columns.
    const mask = new Int32Array(batch * total);
    for (let b = 0; b < batch; b++) {
      mask.set(this.mask.subarray(b * past, (b + 1) * past), b * total);
      mask.set(fresh.subarray(b * newLength, (b + 1) * newLength), b * total + past);
    }
    this.mask = mask;
    this.cached = total;
    return {
      pastLength: past,
      positionIds: () => {
        const out = new Int32Array(batch * newLength);
        for (let b = 0; b < batch; b++) {
          let seen = 0;
          for (let j = 0; j < total; j++) {
            const real = mask[b * total + j] !== 0;
            if (j >= past) out[b * newLength + j - past] = real ? seen : 1;
            if (real) seen++;
          }
        }
        return tf.tensor2d(out, [batch, newLength], 'int32');
      },
      attentionBias: (slidingWindow) => {
        const bias = new Float32Array(batch * newLength * total);
        for (let b = 0; b < batch; b++) {
          for (let i = 0; i < newLength; i++) {
            const query = past + i;
            for (let j = 0; j < total; j++) {
              const allowed =
                j <= query && (slidingWindow === null || query - j < slidingWindow) && mask[b * total + j] !== 0;
              if (!allowed) bias[(b * newLength + i) * total + j] = MASKED;
            }
          }
        }
        return tf.tensor4d(bias, [batch, 1, newLength, total]);
      },
      layer: (index) => ({ append: (k, v) => this.append(index, k, v) }),
    };
  }

  private append(index: number, k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
    const pastK = this.keys[index] ?? null;
    const pastV = this.values[index] ?? null;
    // [B, H_kv, T_past, D] ++ [B, H_kv, T_new, D] along the time axis; kept past the caller's tf.tidy.
    const allK = tf.keep(pastK === null ? tf.clone(k) : tf.concat([pastK, k], 2)) as tf.Tensor4D;
    const allV = tf.keep(pastV === null ? tf.clone(v) : tf.concat([pastV, v], 2)) as tf.Tensor4D;
    pastK?.dispose();
    pastV?.dispose();
    this.keys[index] = allK;
    this.values[index] = allV;
    return [allK, allV];
  }

  /** Frees every cached tensor; the cache is empty afterwards. */
  dispose(): void {
    for (const t of [...this.keys, ...this.values]) t?.dispose();
    this.keys = [];
    this.values = [];
    this.mask = new Int32Array(0);
    this.batch = -1;
    this.cached = 0;
  }
}
