import * as tf from '@tensorflow/tfjs-core';
import type { TokenBatch } from '@peftjs/core';
import { BatchPlan, type StreamOptions } from './epoch-order';
import { IGNORE_INDEX } from './lm-loss';
import type { TokenizedExample } from './tokenize-dataset';

/** Options of {@link exampleBatches}: the stream options plus the padding id. */
export interface ExampleBatchOptions extends StreamOptions {
  /** Id written at padded positions (hidden by the attention mask, label {@link IGNORE_INDEX}). */
  readonly padTokenId: number;
}

/**
 * Shuffled, right-padded batches of tokenized examples (from `tokenizeDataset`), deterministic per
 * seed and resumable by batch index like {@link LmBatches}: `inputIds`, `attentionMask` and
 * `labels`, int32 `[B, T]` with `T` the longest example of the batch; labels keep each example's
 * {@link IGNORE_INDEX} positions (prompts) and are {@link IGNORE_INDEX} on padding, so the loss and
 * EVA's label mask see only the scored tokens.
 */
export class ExampleBatches implements AsyncIterable<TokenBatch> {
  private readonly plan: BatchPlan;

  constructor(
    private readonly examples: readonly TokenizedExample[],
    private readonly options: ExampleBatchOptions,
  ) {
    this.plan = new BatchPlan(examples.length, options, 'exampleBatches');
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    return this.plan.batchesPerEpoch;
  }

  /** Batches in the whole stream (`Infinity` with `loop`). */
  get totalBatches(): number {
    return this.plan.totalBatches;
  }

  /** Batch number `index` (0-based) of the stream; the caller owns (and disposes) its tensors. */
  batchAt(index: number): TokenBatch {
    const rows = this.plan.indices(index, 'exampleBatches').map((i) => this.examples[i] as TokenizedExample);
    const b = rows.length;
    const t = Math.max(...rows.map((r) => r.inputIds.length));
    const ids = new Int32Array(b * t).fill(this.options.padTokenId);
    const mask = new Int32Array(b * t);
    const labels = new Int32Array(b * t).fill(IGNORE_INDEX);
    rows.forEach((row, r) => {
      ids.set(row.inputIds, r * t);
      labels.set(row.labels, r * t);
      mask.fill(1, r * t, r * t + row.inputIds.length);
    });
    return {
      inputIds: tf.tensor2d(ids, [b, t], 'int32'),
      attentionMask: tf.tensor2d(mask, [b, t], 'int32'),
      labels: tf.tensor2d(labels, [b, t], 'int32'),
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
}

/** Batches of tokenized examples; see {@link ExampleBatches}. */
export function exampleBatches(examples: readonly TokenizedExample[], options: ExampleBatchOptions): ExampleBatches {
  return new ExampleBatches(examples, options);
}
