import * as tf from '@tensorflow/tfjs-core';
import type { TokenBatch } from '@peftjs/core';
import { IGNORE_INDEX } from './lm-loss';

/** Options of {@link padTokenBatch}. */
export interface PadOptions {
  /** Id written at padded positions (hidden by the attention mask). */
  padTokenId: number;
  /** Which side gets the padding (default `right`; `left` is what generation uses). */
  side?: 'left' | 'right';
  /** Keep at most this many tokens of each sequence (its start). */
  maxLength?: number;
}

/**
 * Pads token sequences into one batch: `inputIds` `[B, T]` (T = longest row, capped by
 * `maxLength`; longer rows keep their first `maxLength` tokens), `attentionMask` (1 = token,
 * 0 = pad) and `labels` (`inputIds`, with -100 at padding).
 */
export function padTokenBatch(sequences: readonly (readonly number[])[], options: PadOptions): TokenBatch {
  if (sequences.length === 0) throw new RangeError('padTokenBatch: no sequences');
  const cap = options.maxLength ?? Infinity;
  const rows = sequences.map((s) => s.slice(0, cap));
  const t = Math.max(...rows.map((r) => r.length));
  if (t === 0) throw new RangeError('padTokenBatch: every sequence is empty');
  const b = rows.length;
  const ids = new Int32Array(b * t).fill(options.padTokenId);
  const mask = new Int32Array(b * t);
  const labels = new Int32Array(b * t).fill(IGNORE_INDEX);
  rows.forEach((row, r) => {
    const start = (options.side ?? 'right') === 'left' ? t - row.length : 0;
    row.forEach((id, i) => {
      ids[r * t + start + i] = id;
      mask[r * t + start + i] = 1;
      labels[r * t + start + i] = id;
    });
  });
  return {
    inputIds: tf.tensor2d(ids, [b, t], 'int32'),
    attentionMask: tf.tensor2d(mask, [b, t], 'int32'),
    labels: tf.tensor2d(labels, [b, t], 'int32'),
  };
}
