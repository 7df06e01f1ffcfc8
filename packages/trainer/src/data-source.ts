import type { Rng } from '@peftjs/core';

/** What a {@link DataSource} may yield batches as. */
export type BatchStream<B> = Iterable<B> | AsyncIterable<B>;

/**
 * The data contract that makes resume exact. The trainer asks for the batches of epoch `epoch`
 * starting at batch `startIndex` (0-based, counted in micro-batches within that epoch), and
 * passes `rng`, a fresh generator derived from the run's seed and the epoch number only.
 *
 * A source must yield, for a given `(epoch, startIndex)`, exactly the batches
 * `order(epoch)[startIndex..]`, where the order depends only on `epoch` and on draws from `rng`
 * (for example `rng.permutation(n)` then skip `startIndex` batches). Then a run stopped after
 * any step and resumed continues with the very batches the uninterrupted run would have seen.
 *
 * Batches yielded to the trainer become the trainer's: every tensor among a batch's own
 * properties is disposed after use. Yield fresh tensors each time.
 */
export interface DataSource<B> {
  /**
   * The batches of epoch `epoch` (0-based) from batch `startIndex` on, in the order `rng` decides;
   * at least one per epoch when `startIndex` is 0.
   */
  batches(epoch: number, startIndex: number, rng: Rng): BatchStream<B>;
  /** Batches per epoch if known: lets the trainer size schedules, progress and ETA with `epochs`. */
  readonly batchesPerEpoch?: number;
}

/** Options of {@link indexedDataSource}. */
export interface IndexedDataSourceOptions<B> {
  /** Number of examples, indexed 0..size-1. */
  size: number;
  /** Examples per batch. */
  batchSize: number;
  /** Builds one batch from example indices (called lazily, once per yielded batch). */
  makeBatch: (indices: number[]) => B;
  /** Shuffle the examples each epoch with the epoch's seeded generator (default true). */
  shuffle?: boolean;
  /** Drop a last batch smaller than `batchSize` (default true, so every batch has the same shape). */
  dropLast?: boolean;
}

/**
 * A {@link DataSource} over `size` indexable examples: each epoch is a seeded permutation (or the
 * identity with `shuffle: false`) cut into batches of `batchSize`; resuming at `startIndex`
 * skips batches without building them.
 *
 * ```ts
 * const data = indexedDataSource({ size: windows.length, batchSize: 8, makeBatch: (ix) => toBatch(ix.map((i) => windows[i])) });
 * ```
 */
export function indexedDataSource<B>(options: IndexedDataSourceOptions<B>): DataSource<B> {
  const { size, batchSize, makeBatch } = options;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`indexedDataSource: size must be a positive integer, got ${size}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`indexedDataSource: batchSize must be a positive integer, got ${batchSize}`);
  const shuffle = options.shuffle ?? true;
  const dropLast = options.dropLast ?? true;
  const batchesPerEpoch = dropLast ? Math.floor(size / batchSize) : Math.ceil(size / batchSize);
  if (batchesPerEpoch === 0) {
    throw new RangeError(
      `indexedDataSource: ${size} examples make no full batch of ${batchSize}; lower batchSize or set dropLast: false`,
    );
  }
  return {
    batchesPerEpoch,
    *batches(_epoch: number, startIndex: number, rng: Rng): Iterable<B> {
      const order = shuffle ? rng.permutation(size) : Array.from({ length: size }, (_, i) => i);
      for (let b = startIndex; b < batchesPerEpoch; b++)
        yield makeBatch(order.slice(b * batchSize, (b + 1) * batchSize));
    },
  };
}
