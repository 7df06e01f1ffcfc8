import * as tf from '@tensorflow/tfjs-core';
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import type { Rng } from '@peftjs/core';

/*
 * Small dense decompositions for the weight-based initialisers (PiSSA, OLoRA). ml-matrix runs at
 * ~1 GFLOP/s in float64, so it only ever sees matrices of the weight's size when that is small;
 * larger weights are first reduced on the tensor backend (randomized range finder, Halko et al.
 * 2011, Alg. 4.4, the method behind torch.svd_lowrank) and only thin [n, q] problems reach ml-matrix.
 */

/** Above this many flops (out * in * min(out, in)) the SVD goes randomized: ~0.1 s of ml-matrix. */
export const EXACT_SVD_FLOP_LIMIT = 64e6;

export interface TopSvd {
  /** `[out, r]`, orthonormal columns. */
  readonly u: Matrix;
  /** `r` singular values, descending. */
  readonly s: number[];
  /** `[r, in]`, orthonormal rows. */
  readonly vt: Matrix;
}

export interface TopSvdOptions {
  /** Power iterations of the randomized solver; when given, the randomized solver is used (PEFT's `pissa_niter_k`). */
  readonly niter?: number;
  /** Extra random directions of the randomized solver (torch.svd_lowrank uses 0 when called by PEFT). */
  readonly oversample?: number;
  readonly rng: Rng;
}

export function tensorToMatrix(t: tf.Tensor2D): Matrix {
  const [rows, cols] = t.shape;
  const data = t.dataSync();
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, data[i * cols + j] as number);
  return m;
}

export function matrixToTensor(m: Matrix): tf.Tensor2D {
  return tf.tensor2d(Float32Array.from(m.to1DArray()), [m.rows, m.columns]);
}

/**
 * The top-`r` singular triplets of `weight` (`[out, in]`): exact (ml-matrix) for small weights,
 * randomized otherwise or when `options.niter` is given.
 */
export function topSvd(weight: tf.Tensor2D, r: number, options: TopSvdOptions): TopSvd {
  const [out, inF] = weight.shape;
  const small = out * inF * Math.min(out, inF) <= EXACT_SVD_FLOP_LIMIT;
  if (options.niter === undefined && small) return exactTopSvd(tensorToMatrix(weight), r);
  const niter = options.niter ?? 4;
  const oversample = options.niter === undefined ? (options.oversample ?? 10) : (options.oversample ?? 0);
  return randomizedTopSvd(weight, r, niter, oversample, options.rng);
}

function exactTopSvd(w: Matrix, r: number): TopSvd {
  const svd = new SingularValueDecomposition(w, {
    autoTranspose: true,
    computeLeftSingularVectors: true,
    computeRightSingularVectors: true,
  });
  const u = svd.leftSingularVectors.subMatrix(0, w.rows - 1, 0, r - 1);
  const v = svd.rightSingularVectors.subMatrix(0, w.columns - 1, 0, r - 1);
  return { u, s: svd.diagonal.slice(0, r), vt: v.transpose() };
}

function randomizedTopSvd(weight: tf.Tensor2D, r: number, niter: number, oversample: number, rng: Rng): TopSvd {
  const [out, inF] = weight.shape;
  const q = Math.min(r + oversample, out, inF);
  const basis = tf.tidy(() => {
    const wt = tf.transpose(weight) as tf.Tensor2D; // [in, out], explicit so every matmul below is a plain 2-D one
    const omega = tf.tensor2d(rng.normalArray(inF * q, 0, 1), [inF, q]);
    let y = orthonormalColumns(tf.matMul(weight, omega)); // [out, in] @ [in, q] -> [out, q]
    for (let i = 0; i < niter; i++) {
      const z = orthonormalColumns(tf.matMul(wt, y)); // [in, out] @ [out, q] -> [in, q]
      y = orthonormalColumns(tf.matMul(weight, z)); // [out, in] @ [in, q] -> [out, q]
    }
    return y;
  });
  const small = tf.tidy(() => tf.matMul(tf.transpose(basis), weight) as tf.Tensor2D); // [q, out] @ [out, in] -> [q, in]
  const q64 = tensorToMatrix(basis);
  const b64 = tensorToMatrix(small);
  tf.dispose([basis, small]);
  const inner = exactTopSvd(b64, r);
  return { u: q64.mmul(inner.u), s: inner.s, vt: inner.vt };
}

/** An orthonormal basis of the columns of a thin `[n, q]` tensor (ml-matrix QR in float64). */
function orthonormalColumns(y: tf.Tensor2D): tf.Tensor2D {
  return matrixToTensor(new QrDecomposition(tensorToMatrix(y)).orthogonalMatrix);
}

export interface ThinQr {
  /** First `r` columns of `Q`: `[out, r]`. */
  readonly q: Matrix;
  /** First `r` rows of `R`: `[r, in]`. */
  readonly r: Matrix;
}

/**
 * The first `r` columns of Q and rows of R of `weight = Q R` (torch.linalg.qr, reduced mode).
 * They depend only on the first `r` columns: `W[:, :r] = Q_r R[:r, :r]` and `R[:r] = Q_r^T W`.
 * Signs are fixed so that `diag(R) >= 0` (the unique QR for a full-rank leading block).
 */
export function leadingQr(weight: tf.Tensor2D, r: number): ThinQr {
  const [out] = weight.shape;
  const w = tensorToMatrix(weight);
  const lead = w.subMatrix(0, out - 1, 0, r - 1);
  const qr = new QrDecomposition(lead);
  const q = qr.orthogonalMatrix; // [out, r]
  const rTop = q.transpose().mmul(w); // [r, out] @ [out, in] -> [r, in]
  for (let j = 0; j < r; j++) {
    if (rTop.get(j, j) < 0) {
      for (let i = 0; i < out; i++) q.set(i, j, -q.get(i, j));
      for (let k = 0; k < rTop.columns; k++) rTop.set(j, k, -rTop.get(j, k));
    }
  }
  return { q, r: rTop };
}
