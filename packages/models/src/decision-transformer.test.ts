import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { disposeBatch, Rng, setBackend } from '@peftjs/core';
import { SafetensorsFile } from '@peftjs/core/node';
import { decisionTransformerBatch, DecisionTransformerModel, type TrajectoryWindows } from './decision-transformer';
import { decisionTransformerConfig, parseDecisionTransformerConfig } from './decision-transformer-config';
import { loadPretrained, savePretrained } from './pretrained';
import { defaultLoraTargets } from './architectures';

beforeAll(async () => {
  await setBackend('wasm');
});

const STATE = 3;
const ACT = 2;
const config = decisionTransformerConfig({
  stateDim: STATE,
  actDim: ACT,
  hiddenSize: 16,
  maxEpLen: 20,
  nPositions: 1,
  nLayer: 2,
  nHead: 2,
  residPdrop: 0,
  embdPdrop: 0,
  attnPdrop: 0,
  initializerRange: 0.3,
});

function windows(
  b: number,
  k: number,
  seed: string,
): TrajectoryWindows & {
  states: Float32Array;
  actions: Float32Array;
  returnsToGo: Float32Array;
  timesteps: Int32Array;
} {
  const rng = new Rng(seed);
  return {
    batchSize: b,
    length: k,
    states: rng.normalArray(b * k * STATE),
    actions: rng.uniformArray(b * k * ACT, -1, 1),
    returnsToGo: rng.normalArray(b * k),
    timesteps: Int32Array.from({ length: b * k }, (_, i) => 3 + (i % k)),
  };
}

/** Predicted actions `[B][K][act]` for some windows. */
function predict(model: DecisionTransformerModel, w: TrajectoryWindows): number[][][] {
  const batch = decisionTransformerBatch(w, config);
  const out = model.call(batch);
  const value = out.arraySync() as number[][][];
  out.dispose();
  disposeBatch(batch);
  return value;
}

describe('DecisionTransformerModel', () => {
  it('maps [B, K] windows to [B, K, act_dim] actions in [-1, 1], with Hugging Face parameter names', () => {
    const model = new DecisionTransformerModel(config, { seed: 1 }).eval();
    const out = predict(model, windows(3, 4, 'a'));
    expect([out.length, out[0]!.length, out[0]![0]!.length]).toEqual([3, 4, ACT]);
    expect(out.flat(2).every((v) => Math.abs(v) <= 1)).toBe(true);
    const names = [...model.namedParameters()].map(([n]) => n);
    expect(names).toEqual(
      expect.arrayContaining([
        'embed_timestep.weight',
        'embed_return.weight',
        'embed_state.weight',
        'embed_action.bias',
        'embed_ln.weight',
        'encoder.wpe.weight',
        'encoder.h.1.attn.c_attn.weight',
        'encoder.h.1.mlp.c_proj.bias',
        'encoder.ln_f.weight',
        'predict_action.0.weight',
      ]),
    );
    expect(defaultLoraTargets(model)).toEqual(['c_attn', 'c_proj', 'c_fc']);
    model.dispose();
  });

  it('is causal: the action at t depends on R, s up to t and a before t, and on nothing later', () => {
    const model = new DecisionTransformerModel(config, { seed: 2 }).eval();
    const k = 5;
    const t = 2;
    const base = windows(2, k, 'b');
    const reference = predict(model, base);
    // change a_t, and every return, state, action and timestep after t
    const later = windows(2, k, 'b');
    for (let b = 0; b < 2; b++) {
      for (let j = 0; j < ACT; j++) later.actions[(b * k + t) * ACT + j] = 0.5 - later.actions[(b * k + t) * ACT + j]!;
      for (let s = t + 1; s < k; s++) {
        later.returnsToGo[b * k + s] = 7;
        later.timesteps[b * k + s] = 19;
        for (let j = 0; j < STATE; j++) later.states[(b * k + s) * STATE + j] = -3;
        for (let j = 0; j < ACT; j++) later.actions[(b * k + s) * ACT + j] = 0.9;
      }
    }
    const changed = predict(model, later);
    for (let b = 0; b < 2; b++) {
      for (let s = 0; s <= t; s++)
        for (let j = 0; j < ACT; j++) expect(changed[b]![s]![j]).toBeCloseTo(reference[b]![s]![j]!, 5);
      // and the later predictions did see the change
      const moved = Math.abs(changed[b]![t + 1]![0]! - reference[b]![t + 1]![0]!);
      expect(moved).toBeGreaterThan(1e-4);
    }
    // an earlier action does reach the prediction at t
    const earlier = windows(2, k, 'b');
    earlier.actions[(0 * k + t - 1) * ACT] = -earlier.actions[(0 * k + t - 1) * ACT]! + 0.7;
    expect(Math.abs(predict(model, earlier)[0]![t]![0]! - reference[0]![t]![0]!)).toBeGreaterThan(1e-4);
    model.dispose();
  });

  it('loss: mean squared action error over the unmasked timesteps', () => {
    const model = new DecisionTransformerModel(config, { seed: 3 }).eval();
    const w = { ...windows(2, 3, 'c'), mask: [1, 1, 0, 1, 0, 0] };
    const predicted = predict(model, w);
    let sum = 0;
    let count = 0;
    w.mask.forEach((m, i) => {
      if (m === 0) return;
      for (let j = 0; j < ACT; j++) {
        sum += (predicted[Math.floor(i / 3)]![i % 3]![j]! - w.actions[i * ACT + j]!) ** 2;
        count++;
      }
    });
    const batch = decisionTransformerBatch(w, config);
    const before = tf.memory().numTensors;
    const loss = model.loss(batch);
    expect(loss.dataSync()[0]).toBeCloseTo(sum / count, 5);
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
    disposeBatch(batch);
    model.dispose();
  });

  it('leaves no tensors behind in forward and loss, in train mode too', () => {
    const model = new DecisionTransformerModel({ ...config, residPdrop: 0.1 }, { seed: 4 });
    const batch = decisionTransformerBatch(windows(2, 4, 'd'), config);
    const before = tf.memory().numTensors;
    tf.dispose([model.call(batch), model.loss(batch)]);
    const grads = tf.variableGrads(() => model.loss(batch));
    tf.dispose([grads.value, ...Object.values(grads.grads)]);
    expect(tf.memory().numTensors).toBe(before);
    disposeBatch(batch);
    model.dispose();
  });

  it('round-trips through savePretrained / loadPretrained with GPT-2 Conv1D weights stored [in, out]', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peftjs-dt-'));
    try {
      const model = new DecisionTransformerModel(config, { seed: 5 }).eval();
      const w = windows(2, 4, 'e');
      await savePretrained(model, dir);
      const json = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      expect(json).toMatchObject({ model_type: 'decision_transformer', architectures: ['DecisionTransformerModel'] });
      const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
      expect(file.info('encoder.h.0.attn.c_attn.weight').shape).toEqual([16, 48]);
      expect(file.info('embed_state.weight').shape).toEqual([16, STATE]);
      await file.close();
      const loaded = await loadPretrained(dir, { as: DecisionTransformerModel });
      const a = predict(model, w).flat(2);
      const b = predict(loaded, w).flat(2);
      a.forEach((v, i) => {
        expect(b[i]).toBeCloseTo(v, 6);
      });
      model.dispose();
      loaded.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects misshapen batches and bad configs with one-line errors', () => {
    const model = new DecisionTransformerModel(config, { seed: 6 });
    const batch = decisionTransformerBatch(windows(2, 3, 'f'), { stateDim: STATE, actDim: ACT });
    const wrong = { ...batch, states: tf.zeros([2, 3, STATE + 1]) as tf.Tensor3D };
    expect(() => model.call(wrong)).toThrow(
      'DecisionTransformer: states has shape [2, 3, 4] but timesteps [2, 3] and this config need [2, 3, 3]',
    );
    wrong.states.dispose();
    disposeBatch(batch);
    expect(() => decisionTransformerBatch({ ...windows(2, 3, 'g'), returnsToGo: [1, 2] }, config)).toThrow(
      'decisionTransformerBatch: returnsToGo has 2 values but [2, 3] windows need 6',
    );
    expect(() => parseDecisionTransformerConfig({ state_dim: 3, act_dim: 2, hidden_size: 10, n_head: 4 })).toThrow(
      'hidden_size (10) must be divisible by n_head (4)',
    );
    expect(() => parseDecisionTransformerConfig({ act_dim: 2 })).toThrow('"state_dim" must be a positive integer');
    model.dispose();
  });
});
