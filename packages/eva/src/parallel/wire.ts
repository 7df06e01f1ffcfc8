import * as tf from '@tensorflow/tfjs-core';
import { isTokenBatch, type Batch } from '@peftjs/core';
import type { IncrementalPCAJSON } from '@peftjs/streaming-svd';

/** A batch as plain typed arrays, to cross a worker-thread boundary. */
export type WireBatch =
  | {
      kind: 'tokens';
      shape: [number, number];
      inputIds: Int32Array;
      attentionMask: Int32Array | null;
      labels: Int32Array | null;
    }
  | { kind: 'features'; shape: [number, number]; inputs: Float32Array; labels: Int32Array | null };

export interface WorkerInit {
  readonly modelDir: string;
  readonly targets: readonly string[];
  readonly useLabelMask: boolean;
  readonly labelMaskValue: number;
  readonly maxRanks: Readonly<Record<string, number>>;
  readonly solver: 'exact' | 'randomized' | 'auto';
  readonly seed: number;
  readonly backend: string;
}

export type ToWorker = { type: 'step'; batch: WireBatch; attached: readonly string[] } | { type: 'close' };

export type FromWorker =
  | { type: 'ready' }
  | {
      type: 'stepped';
      groups: { representative: string; members: string[] }[];
      /** The worker's cumulative PCA state of every layer it fitted this step. */
      fitted: Record<string, IncrementalPCAJSON>;
      rowsPerLayer: Record<string, number>;
    }
  | { type: 'error'; name: string; message: string; code?: string; subject?: string };

export function toWire(batch: Batch): WireBatch {
  if (isTokenBatch(batch)) {
    return {
      kind: 'tokens',
      shape: batch.inputIds.shape,
      inputIds: Int32Array.from(batch.inputIds.dataSync()),
      attentionMask: batch.attentionMask === undefined ? null : Int32Array.from(batch.attentionMask.dataSync()),
      labels: batch.labels === undefined ? null : Int32Array.from(batch.labels.dataSync()),
    };
  }
  return {
    kind: 'features',
    shape: batch.inputs.shape,
    inputs: Float32Array.from(batch.inputs.dataSync()),
    labels: batch.labels === undefined ? null : Int32Array.from(batch.labels.dataSync()),
  };
}

/** Rebuilds a batch; the caller owns its tensors. */
export function fromWire(wire: WireBatch): Batch {
  if (wire.kind === 'tokens') {
    return {
      inputIds: tf.tensor2d(wire.inputIds, wire.shape, 'int32'),
      ...(wire.attentionMask === null ? {} : { attentionMask: tf.tensor2d(wire.attentionMask, wire.shape, 'int32') }),
      ...(wire.labels === null ? {} : { labels: tf.tensor2d(wire.labels, wire.shape, 'int32') }),
    };
  }
  return {
    inputs: tf.tensor2d(wire.inputs, wire.shape),
    ...(wire.labels === null ? {} : { labels: tf.tensor1d(wire.labels, 'int32') }),
  };
}
