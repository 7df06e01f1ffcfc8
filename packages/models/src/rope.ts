import * as tf from '@tensorflow/tfjs-core';
import type { RopeConfig } from './rope-config';

/** Inverse frequencies `[headDim / 2]` and the factor HF multiplies `cos`/`sin` by (`attention_scaling`). */
export interface RopeFrequencies {
  /** `inv_freq`, `[headDim / 2]`, in radians per position. */
  readonly invFreq: Float64Array;
  /** The factor on `cos` and `sin` (1 except for YaRN). */
  readonly attentionScaling: number;
}

function plainInverseFrequencies(headDim: number, theta: number): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / theta ** ((2 * i) / headDim);
  return inv;
}

/**
 * Rotary inverse frequencies `inv_freq[i] = theta^(-2i/d)`, i < d/2, with the scalings of Hugging
 * Face's `ROPE_INIT_FUNCTIONS` (`modeling_rope_utils.py`, transformers 5): `linear` (divide by
 * `factor`), `dynamic` (NTK: `theta * (factor * L / L_max - (factor - 1))^(d / (d - 2))` when the
 * longest position `L` exceeds `max_position_embeddings`), `llama3` (wavelength-dependent smoothing)
 * and `yarn` (ramp between interpolated and extrapolated frequencies, plus an attention factor).
 * @param seqLen - `max(position_ids) + 1` of the current call; only `dynamic` uses it.
 */
export function ropeFrequencies(
  headDim: number,
  rope: RopeConfig,
  maxPositionEmbeddings: number,
  seqLen: number,
): RopeFrequencies {
  const s = rope.scaling;
  const half = headDim / 2;
  switch (s.kind) {
    case 'default':
      return { invFreq: plainInverseFrequencies(headDim, rope.theta), attentionScaling: 1 };
    case 'linear':
      return { invFreq: plainInverseFrequencies(headDim, rope.theta).map((f) => f / s.factor), attentionScaling: 1 };
    case 'dynamic': {
      const len = Math.max(seqLen, maxPositionEmbeddings);
      const base =
        rope.theta * ((s.factor * len) / maxPositionEmbeddings - (s.factor - 1)) ** (headDim / (headDim - 2));
      return { invFreq: plainInverseFrequencies(headDim, base), attentionScaling: 1 };
    }
    case 'llama3': {
      const inv = plainInverseFrequencies(headDim, rope.theta);
      const { factor, lowFreqFactor, highFreqFactor, originalMaxPositionEmbeddings: old } = s;
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
      return { invFreq: inv, attentionScaling: 1 };
    }
    case 'yarn': {
      // HF `_compute_yarn_parameters`: with original_max_position_embeddings, factor = max / original.
      const original = s.originalMaxPositionEmbeddings ?? maxPositionEmbeddings;
      const factor =
        s.originalMaxPositionEmbeddings === null ? s.factor : maxPositionEmbeddings / s.originalMaxPositionEmbeddings;
      const mscale = (scale: number, m = 1): number => (scale <= 1 ? 1 : 0.1 * m * Math.log(scale) + 1);
      const attentionScaling =
        s.attentionFactor ??
        (s.mscale && s.mscaleAllDim ? mscale(factor, s.mscale) / mscale(factor, s.mscaleAllDim) : mscale(factor));
      const correctionDim = (rotations: number): number =>
        (headDim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(rope.theta));
      let low = correctionDim(s.betaFast);
      let high = correctionDim(s.betaSlow);
      if (s.truncate) {
        low = Math.floor(low);
        high = Math.ceil(high);
      }
      low = Math.max(low, 0);
      high = Math.min(high, headDim - 1);
      if (low === high) high += 0.001; // HF: prevent a singular ramp
      const extrapolation = plainInverseFrequencies(headDim, rope.theta);
      const inv = new Float64Array(half);
      for (let i = 0; i < half; i++) {
        const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
        const extrapolationFactor = 1 - ramp;
        const f = extrapolation[i] as number;
        inv[i] = (f / factor) * (1 - extrapolationFactor) + f * extrapolationFactor;
      }
      return { invFreq: inv, attentionScaling };
    }
  }
}

/**
 * `cos` and `sin` tables `[B, 1, T, D]` for position ids `[B, T]`: angle `pos * inv_freq[i]`,
 * duplicated over both halves of the head (`emb = cat(freqs, freqs)`), times the rope's attention
 * scaling, as Hugging Face's `LlamaRotaryEmbedding.forward`. Computed on the host, rounded as HF's
 * float32 angle.
 */
export function ropeTables(
  positionIds: tf.Tensor2D,
  headDim: number,
  rope: RopeConfig,
  maxPositionEmbeddings: number,
): { cos: tf.Tensor4D; sin: tf.Tensor4D } {
  const [b, t] = positionIds.shape;
  const pos = positionIds.dataSync();
  let longest = 0;
  for (let i = 0; i < pos.length; i++) longest = Math.max(longest, (pos[i] as number) + 1);
  const { invFreq, attentionScaling } = ropeFrequencies(headDim, rope, maxPositionEmbeddings, longest);
  const half = invFreq.length;
  const d = 2 * half;
  const cos = new Float32Array(b * t * d);
  const sin = new Float32Array(b * t * d);
  for (let i = 0; i < b * t; i++) {
    const p = pos[i] as number;
    for (let j = 0; j < half; j++) {
      // HF computes the angle in float32 (inv_freq.float() @ position_ids.float()); match it.
      const angle = Math.fround(p * Math.fround(invFreq[j] as number));
      const c = Math.fround(Math.cos(angle)) * attentionScaling;
      const s = Math.fround(Math.sin(angle)) * attentionScaling;
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
