import type * as tf from '@tensorflow/tfjs-core';
import type { Checkpoint } from './checkpoint';
import type { OptimizerState } from './optimizer';
import type { TrainerState } from './trainer-state';

/**
 * Where {@link train} keeps its checkpoints and its JSONL metrics log. `train` needs one only with
 * `checkpoint`, `resume` or `metricsLog`. On Node pass `fileStorage` from `@peftjs/trainer/node`
 * (`<dir>/step-NNNNNN/` directories written atomically, a `.jsonl` file); elsewhere implement this
 * interface over whatever the platform has (IndexedDB, the Origin Private File System, memory).
 * Locations (`root`, `path`, the string `writeCheckpoint` returns) are opaque to `train`: it passes
 * on what it was given and reports what the storage returned (`TrainResult.lastCheckpoint`).
 */
export interface TrainerStorage {
  /**
   * Stores the checkpoint of step `state.step` under `root`, all or nothing (a failure part-way
   * leaves earlier checkpoints readable), and returns its location. `weights` and
   * `optimizer.tensors` are float32 tensors the caller keeps ownership of.
   */
  writeCheckpoint(
    root: string,
    weights: ReadonlyArray<readonly [string, tf.Tensor]>,
    optimizer: OptimizerState,
    state: Omit<TrainerState, 'files'>,
  ): Promise<string>;
  /** The newest complete checkpoint at `path` (itself a checkpoint, or a root holding several), or null. */
  findLatestCheckpoint(path: string): Promise<string | null>;
  /** Reads a checkpoint `findLatestCheckpoint` returned; throws `CheckpointError` (`E_CHECKPOINT`) when it is damaged. */
  readCheckpoint(location: string): Promise<Checkpoint>;
  /** Deletes all but the newest `keep` complete checkpoints under `root`. */
  pruneCheckpoints(root: string, keep: number): Promise<void>;
  /** Removes what an interrupted `writeCheckpoint` left under `root` (called once before training starts). */
  removeStaleTemporaries(root: string): Promise<void>;
  /**
   * Opens the metrics log at `path` for appending: emptied on a fresh run (`resumedStep` null),
   * otherwise keeping only the records up to `resumedStep`, so it reads as one uninterrupted run.
   */
  openMetricsLog(path: string, resumedStep: number | null): Promise<MetricsLogWriter>;
}

/** An open metrics log: one JSON record per `write` (`{"type":"step",...}`, `"eval"`, `"checkpoint"`). */
export interface MetricsLogWriter {
  /** Appends one record as one JSON line; resolves once it is appended (`fileStorage`: `appendFile`, no fsync). */
  write(record: Record<string, unknown>): Promise<void>;
}
