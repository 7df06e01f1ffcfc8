/**
 * The model, data and config of the PEFT parity fixture (packages/eva/src/peft-parity.test.ts).
 * Shared by tools/eva/dump-layer-inputs.ts (which writes the layer inputs the Python reference
 * reads) and by the test (which runs computeEvaState on the same model and batches), so the two
 * cannot drift apart.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng, type TokenBatch } from '@peftjs/core';
import { lmBatches, loadMobyDick } from '@peftjs/models';

export const PARITY_MODEL_SEED = 0;
export const PARITY_TARGETS: readonly string[] = ['c_attn', 'c_proj', 'c_fc'];
/** 8 batches of 2 x 32 byte tokens: about 57 kept rows per batch, a ~0.8 MB fixture. */
export const PARITY_BATCHES = { count: 8, batchSize: 2, seqLen: 32, seed: 3 } as const;
/** The EvaConfig both sides use (PEFT: `EvaConfig(rho=2.0, tau=0.99)`, `LoraConfig(r=4)`). */
export const PARITY_CONFIG = { r: 4, rho: 2, tau: 0.99, useLabelMask: true } as const;

/** Moby Dick chapters 1-3 of the train split, as the eva tests use. */
export async function parityText(): Promise<string> {
  const chapters = await loadMobyDick({ split: 'train' });
  return chapters
    .slice(1, 4)
    .map((c) => c.text)
    .join('\n');
}

/**
 * Real-text batches (same logic as compute-eva-state.test.ts): row 0 right-padded from a random
 * position (mask 0, label -100), the first 5 tokens of row 1 a "prompt" labelled -100.
 * The caller owns (and disposes) the tensors.
 */
export function parityBatches(
  text: string,
  options: { count: number; batchSize: number; seqLen: number; seed: number } = PARITY_BATCHES,
): TokenBatch[] {
  const { count, batchSize, seqLen, seed } = options;
  const source = lmBatches(text, { batchSize, seqLen, seed });
  const out: TokenBatch[] = [];
  const rng = new Rng(seed);
  for (let i = 0; i < count; i++) {
    const b = source.batchAt(i);
    const mask = new Int32Array(batchSize * seqLen).fill(1);
    const labels = Int32Array.from(b.inputIds.dataSync());
    const padFrom = seqLen - 1 - rng.int(seqLen / 4);
    for (let t = padFrom; t < seqLen; t++) {
      mask[t] = 0;
      labels[t] = -100;
    }
    for (let t = 0; t < 5; t++) labels[seqLen + t] = -100;
    out.push({
      inputIds: b.inputIds,
      attentionMask: tf.tensor2d(mask, [batchSize, seqLen], 'int32'),
      labels: tf.tensor2d(labels, [batchSize, seqLen], 'int32'),
    });
    tf.dispose([b.attentionMask, b.labels].filter((t): t is tf.Tensor2D => t !== undefined));
  }
  return out;
}

export function disposeBatches(list: readonly TokenBatch[]): void {
  for (const b of list)
    tf.dispose([b.inputIds, b.attentionMask, b.labels].filter((t): t is tf.Tensor2D => t !== undefined));
}
