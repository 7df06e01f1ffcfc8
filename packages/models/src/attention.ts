import * as tf from '@tensorflow/tfjs-core';

/**
 * The bias of a masked query-key pair. A finite constant rather than `-inf` keeps fully masked rows
 * (pad queries of a left-padded row) finite: they attend uniformly and their outputs are
 * meaningless but harmless, as in Hugging Face.
 */
export const MASKED = -1e9;

/**
 * Additive attention bias `[B, 1, T, T]` float32: `0` where query `i` may attend key `j` (causal,
 * `j <= i`, within `slidingWindow` when given, and key `j` is a real token), {@link MASKED} elsewhere.
 *
 * @param attentionMask - int32 or float `[B, T]`, 1 for real tokens; absent: every key is real.
 * @param slidingWindow - keys `j` with `i - j < slidingWindow` only (HF's `sliding_window`), or null for full causal.
 */
export function attentionBias(
  batch: number,
  length: number,
  attentionMask?: tf.Tensor2D,
  slidingWindow: number | null = null,
): tf.Tensor4D {
  return tf.tidy(() => {
    // [T, T], 1 on and below the diagonal; with a window w, only keys j with i - j < w (HF's
    // `sliding_window_overlay`: kv_idx > q_idx - w, on sequence indices, not position ids).
    const causal = tf.linalg.bandPart(
      tf.ones([length, length]),
      slidingWindow === null ? -1 : Math.min(slidingWindow - 1, length),
      0,
    );
    const allowed =
      attentionMask === undefined
        ? tf.reshape(causal, [1, 1, length, length])
        : tf.mul(
            tf.reshape(causal, [1, 1, length, length]),
            tf.reshape(tf.cast(attentionMask, 'float32'), [batch, 1, 1, length]),
          );
    return tf.mul(tf.sub(1, allowed), MASKED) as tf.Tensor4D;
  });
}

/**
 * Position ids `[B, T]`. Without a mask: `0..T-1` for every row. With a mask, the convention of
 * Hugging Face's `generate()` (`prepare_inputs_for_generation`): `cumsum(mask) - 1`, and `1` at
 * padded positions. A left-padded row thus gets the same positions, and the same logits at its
 * real tokens, as the unpadded sequence. (HF's plain `forward` without `position_ids` uses
 * `0..T-1` even when left padding is present; pass `positionIds` to reproduce that.)
 */
export function positionIds(batch: number, length: number, attentionMask?: tf.Tensor2D): tf.Tensor2D {
  const out = new Int32Array(batch * length);
  if (attentionMask === undefined) {
    for (let b = 0; b < batch; b++) for (let t = 0; t < length; t++) out[b * length + t] = t;
  } else {
    const mask = attentionMask.dataSync();
    for (let b = 0; b < batch; b++) {
      let seen = 0;
      for (let t = 0; t < length; t++) {
        const i = b * length + t;
        if (mask[i] !== 0) out[i] = seen++;
        else out[i] = 1;
      }
    }
  }
  return tf.tensor2d(out, [batch, length], 'int32');
}

/** `[B, T, H*D] -> [B, H, T, D]`. */
export function splitHeads(x: tf.Tensor, heads: number, headDim: number): tf.Tensor4D {
  const [b, t] = x.shape as [number, number, number];
  return tf.transpose(tf.reshape(x, [b, t, heads, headDim]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/** `[B, H, T, D] -> [B, T, H*D]`. */
export function mergeHeads(x: tf.Tensor): tf.Tensor3D {
  const [b, h, t, d] = x.shape as [number, number, number, number];
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [b, t, h * d]) as tf.Tensor3D;
}
