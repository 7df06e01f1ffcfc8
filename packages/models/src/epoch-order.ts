import { Rng } from '@peftjs/core';

/** Visit order of `n` items in epoch `epoch`: a permutation from `Rng.derive(seed, "epoch-<e>")`, or `0..n-1`. */
function epochOrder(seed: number | string, epoch: number, n: number, shuffle: boolean): number[] {
  return shuffle ? Rng.derive(seed, `epoch-${epoch}`).permutation(n) : Array.from({ length: n }, (_, i) => i);
}

/** How an example-level stream batches and orders its examples (feature, example and text-classification batches). */
export interface StreamOptions {
  /** Examples per batch, a positive integer. */
  batchSize: number;
  /** Seed of the per-epoch shuffles (default 0). */
  seed?: number | string;
  /** Passes over the data (default 1); ignored with `loop`. */
  epochs?: number;
  /** Repeat forever, reshuffling every epoch. */
  loop?: boolean;
  /** Shuffle each epoch (default true). */
  shuffle?: boolean;
  /** Drop the incomplete last batch of each epoch (default: true when shuffling, false otherwise). */
  dropLast?: boolean;
}

/** Epoch/batch bookkeeping shared by the example-level batch streams. */
export class BatchPlan {
  readonly batchesPerEpoch: number;
  readonly totalBatches: number;
  private epoch = -1;
  private order: number[] = [];

  constructor(
    readonly count: number,
    private readonly options: StreamOptions,
    where: string,
  ) {
    const { batchSize } = options;
    if (!Number.isInteger(batchSize) || batchSize <= 0)
      throw new RangeError(`${where}: batchSize must be a positive integer, got ${batchSize}`);
    const shuffle = options.shuffle ?? true;
    const dropLast = options.dropLast ?? shuffle;
    this.batchesPerEpoch = dropLast ? Math.floor(count / batchSize) : Math.ceil(count / batchSize);
    if (this.batchesPerEpoch === 0)
      throw new RangeError(`${where}: ${count} examples do not fill one batch of ${batchSize}`);
    const epochs = options.epochs ?? 1;
    if (!options.loop && (!Number.isInteger(epochs) || epochs <= 0))
      throw new RangeError(`${where}: epochs must be a positive integer, got ${epochs}`);
    this.totalBatches = options.loop ? Infinity : epochs * this.batchesPerEpoch;
  }

  /** Example indices of batch `index`. */
  indices(index: number, where: string): number[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.totalBatches)
      throw new RangeError(`${where}: batch index ${index} is outside [0, ${this.totalBatches})`);
    const epoch = Math.floor(index / this.batchesPerEpoch);
    if (epoch !== this.epoch) {
      this.order = epochOrder(this.options.seed ?? 0, epoch, this.count, this.options.shuffle ?? true);
      this.epoch = epoch;
    }
    const first = (index % this.batchesPerEpoch) * this.options.batchSize;
    return this.order.slice(first, Math.min(first + this.options.batchSize, this.count));
  }
}
