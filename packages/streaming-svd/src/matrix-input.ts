import * as tf from '@tensorflow/tfjs-core';
import { NonFiniteError } from '@peftjs/core';

import type { MatrixInput, MatrixShape } from './streaming-decomposer';

/** A batch as a flat row-major float32 buffer (a view, never mutated). */
export interface RowBatch {
  readonly data: Float32Array;
  readonly rows: number;
  readonly cols: number;
}

/**
 * Reads a batch from a `[n, d]` tensor (downloaded once; float64 statistics need it on the JS
 * side anyway) or from a row-major `Float32Array` with an explicit shape, and rejects rows that
 * hold NaN or Infinity with their count (`NonFiniteError`, code `E_NON_FINITE`): a NaN never becomes a component. `checkFinite: false` leaves that check to the caller (who
 * then calls {@link assertFinite} when its own column sums come out non-finite: one pass fewer).
 */
export function readRowBatch(
  x: MatrixInput,
  shape: MatrixShape | undefined,
  where: string,
  checkFinite = true,
): RowBatch {
  let batch: RowBatch;
  if (x instanceof Float32Array) {
    if (shape === undefined) {
      throw new TypeError(`${where}: a Float32Array input needs its shape; call it as ${where}(data, { rows, cols })`);
    }
    const { rows, cols } = shape;
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols <= 0) {
      throw new RangeError(
        `${where}: shape { rows: ${rows}, cols: ${cols} } must be non-negative integers with cols >= 1`,
      );
    }
    if (x.length !== rows * cols) {
      throw new RangeError(
        `${where}: the Float32Array has ${x.length} values but shape { rows: ${rows}, cols: ${cols} } needs ${rows * cols}`,
      );
    }
    batch = { data: x, rows, cols };
  } else if (x instanceof tf.Tensor) {
    if (x.rank !== 2) {
      throw new RangeError(
        `${where}: expected a 2-D tensor [n, d], got shape [${x.shape.join(', ')}]; reshape it to [rows, features]`,
      );
    }
    const [rows, cols] = x.shape;
    if (shape !== undefined && (shape.rows !== rows || shape.cols !== cols)) {
      throw new RangeError(
        `${where}: tensor shape [${rows}, ${cols}] disagrees with the given shape { rows: ${shape.rows}, cols: ${shape.cols} }`,
      );
    }
    const raw = x.dataSync();
    const data = raw instanceof Float32Array ? raw : Float32Array.from(raw);
    batch = { data, rows, cols };
  } else {
    throw new TypeError(`${where}: expected a tf.Tensor2D or a Float32Array, got ${typeof x}`);
  }
  if (checkFinite) assertFinite(batch, where);
  return batch;
}

/** Throws, with the count and the first row, when rows of the batch hold NaN or Infinity. */
export function assertFinite(batch: RowBatch, where: string): void {
  const { data, rows, cols } = batch;
  let bad = 0;
  let first = -1;
  for (let i = 0; i < rows; i++) {
    const offset = i * cols;
    for (let j = 0; j < cols; j++) {
      if (!Number.isFinite(data[offset + j] as number)) {
        if (first < 0) first = i;
        bad++;
        break;
      }
    }
  }
  if (bad > 0) {
    throw new NonFiniteError(
      where,
      `${where}: ${bad} of ${rows} rows contain NaN or Infinity (first: row ${first}); drop or impute those rows before fitting`,
    );
  }
}
