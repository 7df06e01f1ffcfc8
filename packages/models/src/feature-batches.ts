import * as tf from '@tensorflow/tfjs-core';
import type { FeatureBatch } from '@peftjs/core';
import { BatchPlan, type StreamOptions } from './epoch-order';

/** Rows of features with class labels (an {@link ImageDataset} fits). */
export interface FeatureDataset {
  /** `count * featureSize` values, row-major. */
  readonly images: Float32Array;
  /** Class id per row, `[count]`. */
  readonly labels: Int32Array;
  /** Number of rows. */
  readonly count: number;
}

/**
 * Shuffled `FeatureBatch`es (`inputs: [B, featureSize]` float32, `labels: [B]` int32) over a
 * dataset; deterministic per seed and resumable by batch index like {@link LmBatches}.
 */
export class FeatureBatches implements AsyncIterable<FeatureBatch> {
  /** Features per row: `images.length / count`. */
  readonly featureSize: number;
  private readonly plan: BatchPlan;

  constructor(
    private readonly data: FeatureDataset,
    options: StreamOptions,
  ) {
    if (data.count <= 0 || data.images.length % data.count !== 0) {
      throw new RangeError(`featureBatches: ${data.images.length} values do not split into ${data.count} equal rows`);
    }
    this.featureSize = data.images.length / data.count;
    this.plan = new BatchPlan(data.count, options, 'featureBatches');
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
   * Batch number `index` (0-based) of the stream; the caller owns (and disposes) its tensors.
   * @throws RangeError when `index` is outside `[0, totalBatches)`.
   */
  batchAt(index: number): FeatureBatch {
    const rows = this.plan.indices(index, 'featureBatches');
    const d = this.featureSize;
    const x = new Float32Array(rows.length * d);
    const y = new Int32Array(rows.length);
    rows.forEach((r, i) => {
      x.set(this.data.images.subarray(r * d, (r + 1) * d), i * d);
      y[i] = this.data.labels[r] as number;
    });
    return { inputs: tf.tensor2d(x, [rows.length, d]), labels: tf.tensor1d(y, 'int32') };
  }

  /** The stream from batch `start` on (resume after a checkpoint that consumed `start` batches). */
  async *from(start = 0): AsyncGenerator<FeatureBatch> {
    for (let i = start; i < this.totalBatches; i++) yield this.batchAt(i);
  }

  /** The whole stream from batch 0: `from(0)`. */
  [Symbol.asyncIterator](): AsyncIterator<FeatureBatch> {
    return this.from(0);
  }
}

/**
 * Feature batches over a dataset; see {@link FeatureBatches}.
 * @throws RangeError when the values do not split into `count` equal rows, `batchSize` or `epochs`
 *   is not a positive integer, or the data do not fill one batch.
 */
export function featureBatches(data: FeatureDataset, options: StreamOptions): FeatureBatches {
  return new FeatureBatches(data, options);
}
