import * as tf from '@tensorflow/tfjs';
import type { RopeScaling } from './llama-config';

/**
 * Rotary position embedding frequencies `inv_freq[i] = theta^(-2i/d)`, i < d/2, with the
 * `linear` and `llama3` scalings of Hugging Face's `ROPE_INIT_FUNCTIONS` (`modeling_rope_utils.py`).
 */
export function ropeInverseFrequencies(headDim: number, theta: number, scaling: RopeScaling): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(theta, (2 * i) / headDim);
  if (scaling.kind === 'linear') {
    for (let i = 0; i < half; i++) inv[i] = (inv[i] as number) / scaling.factor;
  } else if (scaling.kind === 'llama3') {
    const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: old } = scaling;
    const lowFreqWavelen = old / lowFreqFactor;
    const highFreqWavelen = old / highFreqFactor;
    for (let i = 0; i < half; i++) {
      const f = inv[i] as number;
      const wavelen = (2 * Math.PI) / f;
      if (wavelen > lowFreqWavelen) inv[i] = f / factor;
      else if (wavelen >= highFreqWavelen) {
        const smooth = (old / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        inv[i] = (1 - smooth) * (f / factor) + smooth * f;
      }
    }
  }
  return inv;
}

/**
 * `cos` and `sin` tables `[B, 1, T, D]` for position ids `[B, T]`: angle `pos * inv_freq[i]`,
 * duplicated over both halves of the head (`emb = cat(freqs, freqs)`), as Hugging Face's
 * `LlamaRotaryEmbedding`. Computed on the host in float64, then rounded to float32.
 */
export function ropeTables(positionIds: tf.Tensor2D, invFreq: Float64Array): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const [b, t] = positionIds.shape;
  const half = invFreq.length;
  const d = 2 * half;
  const pos = positionIds.dataSync();
  const cos = new Float32Array(b * t * d);
  const sin = new Float32Array(b * t * d);
  for (let i = 0; i < b * t; i++) {
    const p = pos[i] as number;
    for (let j = 0; j < half; j++) {
      // HF computes the angle in float32 (inv_freq.float() @ position_ids.float()); match it.
      const angle = Math.fround(p * Math.fround(invFreq[j] as number));
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[i * d + j] = c;
      cos[i * d + j + half] = c;
      sin[i * d + j] = s;
      sin[i * d + j + half] = s;
    }
  }
  return { cos: tf.tensor4d(cos, [b, 1, t, d]), sin: tf.tensor4d(sin, [b, 1, t, d]) };
}

/** `x * cos + rotate_half(x) * sin` with `rotate_half(x) = cat(-x2, x1)`, for `x: [B, H, T, D]`. */
export function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [x1, x2] = tf.split(x, 2, -1) as [tf.Tensor, tf.Tensor];
    const rotated = tf.concat([tf.neg(x2), x1], -1);
    return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
  });
}
