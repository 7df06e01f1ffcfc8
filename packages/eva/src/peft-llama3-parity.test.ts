import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, setBackend, type TokenBatch } from '@peftjs/core';
import { loadPretrained } from '@peftjs/models/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectComponentsClose } from '@peftjs/test-utils';
import { computeEvaState } from './compute-eva-state';
import type { EvaState } from './eva-state';

/*
 * Golden fixture made by the real Hugging Face stack (transformers 5.18, PEFT 0.21, torch 2.13, CPU;
 * ../shared/fixtures/hf-reference/eva-llama3, copied to test/fixtures/hf-eva-llama3): PEFT's
 * `get_eva_state_dict` on a random Llama 3 checkpoint (GQA, llama3 rope scaling, transformers 5
 * config layout) with r = 4, rho = 2, tau = 0.99, targets q/k/v/o/gate/up/down, on 40 token batches
 * [4, 32] with an all-ones attention mask, replayed in order. The file holds, per layer, PEFT's
 * components [rank, in] (rank 0: no adapter).
 *
 * Ours must give the same rank per layer and, for every allotted component, |cos| >= 0.99 with
 * PEFT's, with early exit on (the default) and off.
 */

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/hf-eva-llama3');
const TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'];

let batches: TokenBatch[] = [];
let peft: Record<string, { shape: number[]; data: Float32Array }> = {};

beforeAll(async () => {
  await setBackend('wasm');
  const ids = decodeSafetensors(new Uint8Array(readFileSync(path.join(dir, 'batches.safetensors')))).tensors[
    'input_ids'
  ];
  if (ids === undefined) throw new Error('batches.safetensors has no input_ids');
  const [count, b, t] = ids.shape as [number, number, number];
  batches = Array.from({ length: count }, (_, i) => ({
    inputIds: tf.tensor2d(
      Int32Array.from(ids.data.subarray(i * b * t, (i + 1) * b * t) as Int32Array),
      [b, t],
      'int32',
    ),
    attentionMask: tf.ones([b, t], 'int32') as tf.Tensor2D,
  }));
  const state = decodeSafetensors(new Uint8Array(readFileSync(path.join(dir, 'peft_eva_state.safetensors')))).tensors;
  peft = Object.fromEntries(
    Object.entries(state).map(([k, v]) => [
      k,
      { shape: [...v.shape], data: Float32Array.from(v.data as Float32Array) },
    ]),
  );
});

afterAll(() => {
  for (const batch of batches) tf.dispose([batch.inputIds, batch.attentionMask as tf.Tensor]);
});

function compare(state: EvaState) {
  const ranks: Record<string, [number, number]> = {};
  let worst = 1;
  for (const layer of state.layers) {
    const reference = peft[layer.name];
    expect(reference, `PEFT has layer ${layer.name}`).toBeDefined();
    if (reference === undefined) continue;
    const [rank, d] = reference.shape as [number, number];
    ranks[layer.name] = [layer.rank, rank];
    expect(d).toBe(layer.inFeatures);
    const rows = Array.from({ length: Math.min(rank, layer.rank) }, (_, j) => j);
    const { worstAbsCos } = expectComponentsClose(layer.componentsData, reference.data, {
      cols: d,
      minAbsCos: 0.99,
      rows,
      label: layer.name,
    });
    worst = Math.min(worst, worstAbsCos);
  }
  for (const [name, [ours, theirs]] of Object.entries(ranks)) expect(ours, `rank of ${name}`).toBe(theirs);
  return worst;
}

describe('EVA on Llama 3 against Hugging Face PEFT (real transformers + peft output)', () => {
  it("gives PEFT's rank per layer and |cos| >= 0.99 per allotted component, with early exit on and off", async () => {
    const model = await loadPretrained(dir);
    model.eval();
    const config = { r: 4, rho: 2, tau: 0.99, targetModules: TARGETS, maxSteps: 400 };
    const before = tf.memory().numTensors;
    const on = await computeEvaState(model, batches, config);
    const off = await computeEvaState(model, batches, config, { earlyExit: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(on.layers.map((l) => l.name).sort()).toEqual(Object.keys(peft).sort());
    expect(on.converged).toBe(true);
    expect(compare(on)).toBeGreaterThanOrEqual(0.99);
    expect(compare(off)).toBeGreaterThanOrEqual(0.99);
    expect(on.layers.map((l) => [l.rank, Array.from(l.componentsData)])).toEqual(
      off.layers.map((l) => [l.rank, Array.from(l.componentsData)]),
    );
    model.dispose();
  });
});
