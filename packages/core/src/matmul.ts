import * as tf from '@tensorflow/tfjs-core';
import { customGradient } from './custom-grad';

/*
 * The wasm backend sends only 2-D matmuls without transpose flags to XNNPACK (~30-45 GFLOP/s);
 * any transposeA/transposeB runs a plain loop ~25x slower, and tfjs's own matMul gradient always
 * uses the flags. These helpers keep forward and backward on the fast path with explicit transposes.
 */

/** `x @ w^T` for `x: [n, in]`, `w: [out, in]` -> `[n, out]`, with a fast-path gradient for both. */
export function matmulTransposeB(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  return matmulTransposeBGrad(x, w) as tf.Tensor2D;
}

/** Like {@link matmulTransposeB} but computes no gradient for `w` (a frozen weight): half the backward cost. */
export function matmulTransposeBConstWeight(x: tf.Tensor2D, w: tf.Tensor2D): tf.Tensor2D {
  const f = customGradient(([xi], save) => {
    save([]);
    return {
      value: tf.matMul(xi as tf.Tensor2D, tf.transpose(w)), // [n, in] @ [in, out]
      gradFunc: (dy) => [tf.matMul(dy as tf.Tensor2D, w)], // [n, out] @ [out, in] -> [n, in]
    };
  });
  return f(x) as tf.Tensor2D;
}

const matmulTransposeBGrad = customGradient(([x, w], save) => {
  save([x as tf.Tensor, w as tf.Tensor]);
  return {
    value: tf.matMul(x as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)), // [n, in] @ [in, out]
    gradFunc: (dy, saved) => {
      const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      return [
        tf.matMul(dy2, ws), // [n, out] @ [out, in] -> [n, in]
        tf.matMul(tf.transpose(dy2), xs), // [out, n] @ [n, in] -> [out, in]
      ];
    },
  };
});

/** Applies a 2-D op to the last axis of an N-D tensor: `[..., a] -> [..., b]`. */
export function onLastAxis(x: tf.Tensor, f: (x2d: tf.Tensor2D) => tf.Tensor2D): tf.Tensor {
  if (x.rank === 2) return f(x as tf.Tensor2D);
  const lead = x.shape.slice(0, -1);
  const width = x.shape[x.rank - 1] as number;
  const y = f(tf.reshape(x, [-1, width]) as tf.Tensor2D);
  return tf.reshape(y, [...lead, y.shape[1]]);
}
