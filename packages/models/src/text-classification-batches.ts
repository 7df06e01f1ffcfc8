import * as tf from '@tensorflow/tfjs-core';
import { BatchPlan, type StreamOptions } from './epoch-order';
import type { SequenceClassificationBatch } from './gpt2-sequence-classification';
import { padTokenBatch } from './pad-batch';
import type { Tokenizer } from './tokenizer';

/** Options of {@link textClassificationBatches}: the stream options plus tokenization and padding. */
export interface TextClassificationOptions extends StreamOptions {
  /** Encodes each text once; its `padTokenId` pads the batches. */
  tokenizer: Tokenizer;
  /** Tokens kept per text (its start). */
  maxLength: number;
  /** Padding side (default `right`). */
  padding?: 'left' | 'right';
}

/**
 * Shuffled, padded batches of labelled texts (`inputIds`, `attentionMask`, `labels` for LM use,
 * `classLabels: [B]`), deterministic per seed and resumable by batch index. Texts are tokenized once.
 */
export class TextClassificationBatches implements AsyncIterable<SequenceClassificationBatch> {
  private readonly plan: BatchPlan;
  private readonly encoded: number[][];
  private readonly labels: Int32Array;

  constructor(
    examples: readonly { readonly text: string; readonly label: number }[],
    private readonly options: TextClassificationOptions,
  ) {
    if (!Number.isInteger(options.maxLength) || options.maxLength <= 0)
      throw new RangeError(`textClassificationBatches: maxLength must be a positive integer, got ${options.maxLength}`);
    this.plan = new BatchPlan(examples.length, options, 'textClassificationBatches');
    this.encoded = examples.map((e) => {
      const ids = options.tokenizer.encode(e.text).slice(0, options.maxLength);
      return ids.length > 0 ? ids : [options.tokenizer.padTokenId];
    });
    this.labels = Int32Array.from(examples.map((e) => e.label));
  }

  /** Batches in one epoch. */
  get batchesPerEpoch(): number {
    return this.plan.batchesPerEpoch;
  }

  /** Batches in the whole stream (`Infinity` with `loop`). */
  get totalBatches(): number {
    return this.plan.totalBatches;
  }

  /**
   * Batch number `index` (0-based): int32 `inputIds`/`attentionMask`/`labels` `[B, T]` with `T` the
   * longest text of the batch, and `classLabels: [B]`; the caller owns (and disposes) its tensors.
   * @throws RangeError when `index` is outside `[0, totalBatches)`.
   */
  batchAt(index: number): SequenceClassificationBatch {
    const rows = this.plan.indices(index, 'textClassificationBatches');
    const padded = padTokenBatch(
      rows.map((r) => this.encoded[r] as number[]),
      { padTokenId: this.options.tokenizer.padTokenId, side: this.options.padding ?? 'right' },
    );
    return {
      ...padded,
      classLabels: tf.tensor1d(
        rows.map((r) => this.labels[r] as number),
        'int32',
      ),
    };
  }

  /** The stream from batch `start` on (resume after a checkpoint that consumed `start` batches). */
  async *from(start = 0): AsyncGenerator<SequenceClassificationBatch> {
    for (let i = start; i < this.totalBatches; i++) yield this.batchAt(i);
  }

  /** The whole stream from batch 0: `from(0)`. */
  [Symbol.asyncIterator](): AsyncIterator<SequenceClassificationBatch> {
    return this.from(0);
  }
}

/**
 * Batches of labelled texts for sequence classification; see {@link TextClassificationBatches}.
 * @throws RangeError when `maxLength`, `batchSize` or `epochs` is not a positive integer, or the
 *   texts do not fill one batch.
 */
export function textClassificationBatches(
  examples: readonly { readonly text: string; readonly label: number }[],
  options: TextClassificationOptions,
): TextClassificationBatches {
  return new TextClassificationBatches(examples, options);
}
