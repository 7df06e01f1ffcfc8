import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, setBackend } from '@peftjs/core';
import { CausalLanguageModel } from '@peftjs/models';
import { loadPretrained } from '@peftjs/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAdapter } from './adapter-dir';
import { deltaWeight } from './lora-delta';

// Issue 14 / 15: adapters written by PEFT 0.21 on transformers 5.18 checkpoints (test/fixtures/hf/README.md)
// give PEFT's logits. Tolerance 1e-4 at kept positions, as for the base models.
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'hf');

beforeAll(async () => {
  await setBackend('wasm');
});

function reference(dir: string): {
  ids: tf.Tensor2D;
  mask: tf.Tensor2D;
  positions: tf.Tensor2D;
  maskData: Int32Array;
  logits: Float32Array;
} {
  const { tensors } = decodeSafetensors(readFileSync(join(dir, 'reference.safetensors')));
  const ids = tensors['input_ids']!;
  const mask = tensors['attention_mask']!;
  const [b, t] = ids.shape as [number, number];
  return {
    ids: tf.tensor2d(ids.data as Int32Array, [b, t], 'int32'),
    mask: tf.tensor2d(mask.data as Int32Array, [b, t], 'int32'),
    // transformers without position_ids: positions 0..T-1 on every row, the left-padded one included
    positions: tf.tensor2d(
      Int32Array.from({ length: b * t }, (_, i) => i % t),
      [b, t],
      'int32',
    ),
    maskData: mask.data as Int32Array,
    logits: tensors['logits']!.data as Float32Array,
  };
}

function maxAbsDiffAtKept(ours: Float32Array, want: Float32Array, mask: Int32Array, vocab: number): number {
  let worst = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    for (let v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs(ours[i * vocab + v]! - want[i * vocab + v]!));
  }
  return worst;
}

describe.each([
  ['gpt2', 'adapter-gpt2'],
  ['llama3', 'adapter-llama3'],
])('PEFT adapter on %s', (base, adapter) => {
  it("base + loaded adapter gives PEFT's logits within 1e-4 at kept positions, and removing it leaks nothing", async () => {
    const model = await loadPretrained(join(FIXTURES, base), { as: CausalLanguageModel });
    const ref = reference(join(FIXTURES, adapter));
    const before = tf.memory().numTensors;
    const handle = await loadAdapter(model, join(FIXTURES, adapter));
    model.eval();
    const out = model.call({ inputIds: ref.ids, attentionMask: ref.mask, positionIds: ref.positions });
    const logits = out.dataSync() as Float32Array;
    out.dispose();
    expect(maxAbsDiffAtKept(logits, ref.logits, ref.maskData, 320)).toBeLessThanOrEqual(1e-4);
    handle.remove();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ref.ids, ref.mask, ref.positions]);
    model.dispose();
  });
});

describe('what the llama3 adapter selects (exclude_modules, rank_pattern, alpha_pattern)', () => {
  it('adapts q/v/up except layer 1 v_proj; layer 0 q_proj has rank 2 (scaling 8/2), up_proj alpha 4 (scaling 4/4)', async () => {
    const model = await loadPretrained(join(FIXTURES, 'llama3'), { as: CausalLanguageModel });
    const handle = await loadAdapter(model, join(FIXTURES, 'adapter-llama3'));
    expect(Object.keys(handle.ranks).sort()).toEqual([
      'model.layers.0.mlp.up_proj',
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.mlp.up_proj',
      'model.layers.1.self_attn.q_proj',
    ]);
    const scaling = (path: string) => handle.layers.get(path)!.adapter('default').scaling;
    expect(handle.ranks['model.layers.0.self_attn.q_proj']).toBe(2);
    expect(scaling('model.layers.0.self_attn.q_proj')).toBe(4);
    expect(scaling('model.layers.1.self_attn.q_proj')).toBe(2);
    expect(scaling('model.layers.0.mlp.up_proj')).toBe(1);
    expect(scaling('model.layers.0.self_attn.v_proj')).toBe(2);
    // the delta on an excluded layer is absent, the others are scaling * B @ A of the file's tensors
    expect(handle.layers.has('model.layers.1.self_attn.v_proj')).toBe(false);
    const { tensors } = decodeSafetensors(readFileSync(join(FIXTURES, 'adapter-llama3', 'adapter_model.safetensors')));
    const a = tensors['base_model.model.model.layers.0.mlp.up_proj.lora_A.weight']!;
    const b = tensors['base_model.model.model.layers.0.mlp.up_proj.lora_B.weight']!;
    const delta = tf.tidy(() =>
      deltaWeight(handle.layers.get('model.layers.0.mlp.up_proj')!.adapter('default')).dataSync(),
    );
    const [out, r] = b.shape as [number, number];
    const inF = a.shape[1] as number;
    let worst = 0;
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < inF; j++) {
        let sum = 0;
        for (let k = 0; k < r; k++)
          sum += (b.data as Float32Array)[i * r + k]! * (a.data as Float32Array)[k * inF + j]!;
        worst = Math.max(worst, Math.abs(delta[i * inF + j]! - 1 * sum));
      }
    }
    expect(worst).toBeLessThan(1e-6);
    handle.remove();
    model.dispose();
  });
});
