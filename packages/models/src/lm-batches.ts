import * as tf from '@tensorflow/tfjs-core';
import { Rng, type TokenBatch } from '@peftjs/core';
import { ByteTokenizer } from './byte-tokenizer';
import type { Tokenizer } from './tokenizer';

/** Options of {@link lmBatches}. */
export interface LmBatchOptions {
  /** Tokenizer for a string source (default: {@link ByteTokenizer}). Ignored for token-id sources. */
  tokenizer?: Tokenizer;
  /** Windows per batch, a positive integer. */
  batchSize: number;
  /** Tokens per window (the model sees `seqLen` tokens and predicts `seqLen - 1`). */
  seqLen: number;
  /** Seed of the per-epoch window shuffles (default 0). */
  seed?: number | string;
  /** Passes over the data (default 1); ignored when `loop` is set. */
  epochs?: number;
  /** Repeat forever, reshuffling every epoch. */
  loop?: boolean;
  /** Shuffle windows and randomise their phase each epoch (default true). `false`: windows in order from offset 0, for evaluation. */
  shuffle?: boolean;
  /** Drop an incomplete last batch of each epoch (default true; always true when shuffling). */
  dropLast?: boolean;
}

/**
 * Fixed-length language-model windows, batched, as a deterministic, resumable stream.
 *
 * Epoch `e` cuts the token sequence into non-overlapping windows of `seqLen` tokens starting at a
 * random phase `offset_e in [0, seqLen)` and visits them in a random order; both come from
 * `Rng.derive(seed, "epoch-e")`, so batch `i` is a pure function of (data, options, i):
 * {@link LmBatches.batchAt} and {@link LmBatches.from} resume a run at any batch index.
 * Every batch has `inputIds` `[B, seqLen]` int32, `attentionMask` of ones, and `labels = inputIds`
 * (the model's loss shifts them).
 */
export class LmBatches implements AsyncIterable<TokenBatch> {
  /** The whole token sequence the windows are cut from. */
  readonly tokens: Int32Array;
  /** Windows per batch. */
  readonly batchSize: number;
  /** Tokens per window: the `T` of every batch. */
  readonly seqLen: number;
  /** Windows in one epoch. */
  readonly windowsPerEpoch: number;
  /** Batches in one epoch. */
  readonly batchesPerEpoch: number;
  /** Batches in the whole stream (`Infinity` with `loop`). */
  readonly totalBatches: number;
  private readonly seed: number | string;
  private readonly shuffle: boolean;
  private cachedEpoch = -1;
  private cachedOffset = 0;
  private cachedOrder: number[] = [];

  constructor(source: string | ArrayLike<number>, options: LmBatchOptions) {
    const { batchSize, seqLen } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new RangeError(`lmBatches: batchSize must be a positive integer, got ${batchSize}`);
    if (!Number.isInteger(seqLen) || seqLen < 2)
      throw new RangeError(`lmBatches: seqLen must be an integer >= 2, got ${seqLen}`);
    const ids = typeof source === 'string' ? (options.tokenizer ?? new ByteTokenizer()).encode(source) : source;
    this.tokens = Int32Array.from(ids);
    this.batchSize = batchSize;
    this.seqLen = seqLen;
    this.seed = options.seed ?? 0;
    this.shuffle = options.shuffle ?? true;
    const n = this.tokens.length;
    // With a random phase, windows must fit from any offset < seqLen; in order, from offset 0.
    this.windowsPerEpoch = this.shuffle ? Math.max(0, Math.floor((n - seqLen + 1) / seqLen)) : Math.floor(n / seqLen);
    const dropLast = this.shuffle || (options.dropLast ?? true);
    this.batchesPerEpoch = dropLast
      ? Math.floor(this.windowsPerEpoch / batchSize)
      : Math.ceil(this.windowsPerEpoch / batchSize);
    if (this.batchesPerEpoch === 0) {
      throw new RangeError(
        `lmBatches: ${n} tokens make ${this.windowsPerEpoch} windows of ${seqLen}, not one batch of ${batchSize}; use more text or smaller batchSize/seqLen`,
      );
    }
    const epochs = options.epochs ?? 1;
    if (!options.loop && (!Number.isInteger(epochs) || epochs <= 0))
      throw new RangeError(`lmBatches: epochs must be a positive integer, got ${epochs}`);
    this.totalBatches = options.loop ? Infinity : epochs * this.batchesPerEpoch;
  }

  /** Batch number `index` (0-based) of the stream; the caller owns (and disposes) its tensors. */
  batchAt(index: number): TokenBatch {
    if (!Number.isInteger(index) || index < 0 || index >= this.totalBatches) {
      throw new RangeError(`lmBatches: batch index ${index} is outside [0, ${this.totalBatches})`);
    }
    const epoch = Math.floor(index / this.batchesPerEpoch);
    const within = index % this.batchesPerEpoch;
    this.prepareEpoch(epoch);
    const first = within * this.batchSize;
    const rows = Math.min(this.batchSize, this.windowsPerEpoch - first);
    const t = this.seqLen;
    const ids = new Int32Array(rows * t);
    for (let r = 0; r < rows; r++) {
      const start = this.cachedOffset + (this.cachedOrder[first + r] as number) * t;
      ids.set(this.tokens.subarray(start, start + t), r * t);
    }
    return {
      inputIds: tf.tensor2d(ids, [rows, t], 'int32'),
      attentionMask: tf.ones([rows, t], 'int32') as tf.Tensor2D,
      labels: tf.tensor2d(ids, [rows, t], 'int32'),
    };
  }

  /** The stream from batch `start` on (resume after a checkpoint that consumed `start` batches). */
  async *from(start = 0): AsyncGenerator<TokenBatch> {
    for (let i = start; i < this.totalBatches; i++) yield this.batchAt(i);
  }

  /** The whole stream from batch 0: `from(0)`. */
  [Symbol.asyncIterator](): AsyncIterator<TokenBatch> {
    return this.from(0);
  }

  private prepareEpoch(epoch: number): void {
    if (epoch === this.cachedEpoch) return;
    if (this.shuffle) {
      const rng = Rng.derive(this.seed, `epoch-${epoch}`);
      this.cachedOffset = rng.int(this.seqLen);
      this.cachedOrder = rng.permutation(this.windowsPerEpoch);
    } else {
      this.cachedOffset = 0;
      this.cachedOrder = Array.from({ length: this.windowsPerEpoch }, (_, i) => i);
    }
    this.cachedEpoch = epoch;
  }
}

/** Language-model batches over a text (tokenized) or a token-id sequence; see {@link LmBatches}. */
export function lmBatches(source: string | ArrayLike<number>, options: LmBatchOptions): LmBatches {
  return new LmBatches(source, options);
}
