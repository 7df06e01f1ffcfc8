import type { Batch } from '@peftjs/core';
import type { DataSource } from './data-source';

/** A deterministic batch stream: batch `index` is always the same (`LmBatches`, `FeatureBatches` of `@peftjs/models`). */
export interface IndexedStream<B extends Batch = Batch> {
  /** Batches in one pass over the data. */
  readonly batchesPerEpoch: number;
  /** The batch at a global index (`epoch * batchesPerEpoch + i` for a looping stream); fresh tensors each call. */
  batchAt(index: number): B;
}

/**
 * A trainer data source over a looping stream: epoch `e`, batch `i` is stream batch
 * `e * batchesPerEpoch + i`, so a resumed run sees exactly the batches it would have seen.
 */
export function streamDataSource(stream: IndexedStream): DataSource<Batch> {
  return {
    batchesPerEpoch: stream.batchesPerEpoch,
    *batches(epoch: number, startIndex: number) {
      for (let i = startIndex; i < stream.batchesPerEpoch; i++)
        yield stream.batchAt(epoch * stream.batchesPerEpoch + i);
    },
  };
}

/** The first `count` batches of a stream as a fixed held-out set (same batches at every evaluation). */
export function fixedDataSource(stream: IndexedStream, count: number): DataSource<Batch> {
  const n = Math.min(count, stream.batchesPerEpoch);
  return {
    batchesPerEpoch: n,
    *batches() {
      for (let i = 0; i < n; i++) yield stream.batchAt(i);
    },
  };
}
