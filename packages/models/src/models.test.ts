import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { gpt2Config, parseGpt2Config } from './gpt2-config';
import { Gpt2LMHeadModel, type Gpt2Model } from './gpt2-model';
import { Gpt2ForSequenceClassification } from './gpt2-sequence-classification';
import { llamaConfig, parseLlamaConfig } from './llama-config';
import { LlamaForCausalLM } from './llama-model';
import { MlpClassifier, mlpConfig } from './mlp-classifier';
import { causalLmLoss, defaultLabels } from './lm-loss';
import { padTokenBatch } from './pad-batch';
import type { CausalLanguageModel } from './causal-lm';

beforeAll(async () => {
  await setBackend('wasm');
});

const gpt2 = () =>
  new Gpt2LMHeadModel(
    gpt2Config({ vocabSize: 40, nEmbd: 16, nLayer: 2, nHead: 2, nPositions: 16, initializerRange: 0.3 }),
    { seed: 1 },
  ).eval();
const llama = () =>
  new LlamaForCausalLM(
    llamaConfig({
      vocabSize: 40,
      hiddenSize: 16,
      intermediateSize: 24,
      numHiddenLayers: 2,
      numAttentionHeads: 4,
      numKeyValueHeads: 2,
      initializerRange: 0.3,
    }),
    { seed: 2 },
  ).eval();

describe.each([
  ['GPT-2', gpt2],
  ['Llama', llama],
] as const)('%s causal LM', (_, make) => {
  it('padding on either side does not change the logits at real tokens', () => {
    const model: CausalLanguageModel = make();
    const seq = [3, 14, 15, 9, 2, 6];
    const alone = model.call({ inputIds: tf.tensor2d([seq], [1, 6], 'int32') });
    const expected = alone.arraySync() as number[][][];
    const right = padTokenBatch([seq, [1, 2]], { padTokenId: 0 });
    const left = padTokenBatch([[1, 2], seq], { padTokenId: 0, side: 'left' });
    const r = model.call(right).arraySync() as number[][][];
    const l = model.call(left).arraySync() as number[][][];
    for (let t = 0; t < 6; t++) {
      for (let v = 0; v < 40; v++) {
        expect(r[0]![t]![v]).toBeCloseTo(expected[0]![t]![v]!, 4);
        expect(l[1]![t]![v]).toBeCloseTo(expected[0]![t]![v]!, 4);
      }
    }
    tf.dispose([
      alone,
      right.inputIds,
      right.attentionMask!,
      right.labels!,
      left.inputIds,
      left.attentionMask!,
      left.labels!,
    ]);
    model.dispose();
  });

  it('trains: every parameter gets a gradient and a few Adam steps lower the loss; no tensor leaks', () => {
    const model = make().train();
    const batch = padTokenBatch(
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [8, 7, 6, 5, 4],
      ],
      { padTokenId: 0 },
    );
    const vars = model.trainableParameters().map(([, p]) => p.value);
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => model.loss(batch), vars);
    for (const [name, p] of model.namedParameters()) {
      const g = grads[p.value.name];
      expect(g, name).toBeDefined();
      expect(
        tf.tidy(() => tf.sum(tf.abs(g!)).dataSync()[0]),
        name,
      ).toBeGreaterThan(0);
    }
    const first = value.dataSync()[0] as number;
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    const opt = tf.train.adam(0.01);
    for (let i = 0; i < 15; i++) opt.minimize(() => model.loss(batch), true, vars)?.dispose();
    const last = model.loss(batch);
    expect(last.dataSync()[0]).toBeLessThan(first - 0.5);
    tf.dispose([last, batch.inputIds, batch.attentionMask!, batch.labels!]);
    opt.dispose();
    model.dispose();
  });
});

describe('causalLmLoss', () => {
  it('equals the hand-computed shifted cross-entropy, skipping -100 labels and pad positions', () => {
    const logits = tf.tensor3d([
      [
        [0, 1, 2],
        [2, 0, 0],
        [1, 1, 1],
      ],
      [
        [0, 0, 3],
        [1, 0, 0],
        [0, 2, 0],
      ],
    ]);
    const labels = tf.tensor2d(
      [
        [0, 2, 1],
        [-100, 0, -100],
      ],
      [2, 3],
      'int32',
    );
    const mask = tf.tensor2d(
      [
        [1, 1, 1],
        [0, 1, 1],
      ],
      [2, 3],
      'int32',
    );
    const lse = (row: number[]) => Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
    // Scored: (row 0, t 0) -> 2, (row 0, t 1) -> 1. Row 1: t 0 is padding (its target 0 is not scored).
    const expected = (lse([0, 1, 2]) - 2 + (lse([2, 0, 0]) - 0)) / 2;
    const loss = causalLmLoss(logits, labels, mask);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
    const unmasked = causalLmLoss(logits, labels);
    expect(unmasked.dataSync()[0]).toBeCloseTo(
      (lse([0, 1, 2]) - 2 + (lse([2, 0, 0]) - 0) + (lse([0, 0, 3]) - 0)) / 3,
      5,
    );
    const bad = tf.tensor2d(
      [
        [0, 3, 1],
        [0, 0, 0],
      ],
      [2, 3],
      'int32',
    );
    expect(() => causalLmLoss(logits, bad)).toThrow(/label 3 at \[0, 1\] is outside the vocabulary \[0, 3\)/);
    const defaults = defaultLabels(labels, mask);
    expect(defaults.arraySync()).toEqual([
      [0, 2, 1],
      [-100, 0, -100],
    ]);
    tf.dispose([logits, labels, mask, loss, unmasked, bad, defaults]);
  });
});

describe('Gpt2ForSequenceClassification', () => {
  it('scores the hidden state of the last real token (left or right padding)', () => {
    const config = parseGpt2Config({
      vocab_size: 30,
      n_embd: 8,
      n_layer: 1,
      n_head: 2,
      n_positions: 8,
      num_labels: 3,
      initializer_range: 0.5,
    });
    const model = new Gpt2ForSequenceClassification(config, { seed: 4 }).eval();
    const seq = [4, 9, 1, 7];
    const hidden = model
      .child<Gpt2Model>('transformer')
      .call({ inputIds: tf.tensor2d([seq], [1, 4], 'int32') }) as tf.Tensor3D;
    const lastHidden = tf.reshape(tf.slice(hidden, [0, 3, 0], [1, 1, 8]), [1, 8]);
    const w = model.getSubmodule('score').parameter('weight')!.value;
    const expected = tf.matMul(lastHidden, w, false, true).arraySync() as number[][];
    for (const side of ['left', 'right'] as const) {
      const batch = {
        ...padTokenBatch([seq, [2]], { padTokenId: 0, side }),
        classLabels: tf.tensor1d([2, 0], 'int32'),
      };
      const logits = model.call(batch).arraySync() as number[][];
      logits[0]!.forEach((v, i) => {
        expect(v).toBeCloseTo(expected[0]![i]!, 4);
      });
      const loss = model.loss(batch);
      const lse = (row: number[]) => Math.log(row.reduce((s, x) => s + Math.exp(x), 0));
      expect(loss.dataSync()[0]).toBeCloseTo(
        (lse(logits[0]!) - logits[0]![2]! + lse(logits[1]!) - logits[1]![0]!) / 2,
        4,
      );
      tf.dispose([batch.inputIds, batch.attentionMask!, batch.labels!, batch.classLabels, loss]);
    }
    tf.dispose([hidden, lastHidden]);
    model.dispose();
  });
});

describe('MlpClassifier', () => {
  it('computes relu(x W1^T + b1) W2^T + b2 and its cross-entropy', () => {
    const model = new MlpClassifier(mlpConfig({ inputSize: 3, hiddenSizes: [4], numLabels: 2 }), { seed: 5 });
    const x = [
      [0.5, -1, 2],
      [1, 0, -0.5],
    ];
    const p = (n: string) =>
      model
        .getSubmodule(n.split('.').slice(0, 2).join('.'))
        .parameter(n.split('.')[2]!)!
        .value.arraySync() as number[][] & number[];
    const [w1, b1, w2, b2] = [p('layers.0.weight'), p('layers.0.bias'), p('layers.1.weight'), p('layers.1.bias')];
    const expected = x.map((row) => {
      const h = (w1 as number[][]).map((wr, j) =>
        Math.max(0, wr.reduce((s, v, k) => s + v * row[k]!, 0) + (b1 as number[])[j]!),
      );
      return (w2 as number[][]).map((wr, j) => wr.reduce((s, v, k) => s + v * h[k]!, 0) + (b2 as number[])[j]!);
    });
    const inputs = tf.tensor2d(x);
    const labels = tf.tensor1d([1, 0], 'int32');
    const before = tf.memory().numTensors;
    const logits = model.call({ inputs });
    const got = logits.arraySync() as number[][];
    got.forEach((row, i) => {
      row.forEach((v, j) => {
        expect(v).toBeCloseTo(expected[i]![j]!, 5);
      });
    });
    const loss = model.loss({ inputs, labels });
    const lse = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    expect(loss.dataSync()[0]).toBeCloseTo(
      (lse(expected[0]!) - expected[0]![1]! + lse(expected[1]!) - expected[1]![0]!) / 2,
      5,
    );
    tf.dispose([logits, loss]);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => model.call({ inputs: tf.zeros([1, 4]) as tf.Tensor2D })).toThrow(
      'MLPClassifier: inputs must be [batch, 3], got [1, 4]',
    );
    tf.dispose([inputs, labels]);
    model.dispose();
  });
});

describe('config validation', () => {
  it('rejects unsupported settings with the field name and the supported values', () => {
    expect(
      () =>
        new Gpt2LMHeadModel(
          parseGpt2Config({ n_embd: 8, n_head: 2, n_layer: 1, vocab_size: 10, activation_function: 'mish' }),
        ),
    ).toThrow(/activation "mish" is not supported; supported: gelu_new/);
    expect(() =>
      parseLlamaConfig({ hidden_size: 8, num_attention_heads: 2, rope_scaling: { rope_type: 'longrope', factor: 4 } }),
    ).toThrow(
      'Llama config field "rope_scaling.rope_type" is "longrope", which is not implemented; supported: default, linear, dynamic, llama3, yarn',
    );
    expect(() => parseGpt2Config({ n_embd: 8, n_head: 2, reorder_and_upcast_attn: true })).toThrow(
      /"reorder_and_upcast_attn" is true; only false is supported/,
    );
    expect(() => parseGpt2Config({ n_embd: -8 })).toThrow(
      'GPT-2 config field "n_embd" must be a positive integer, got -8',
    );
  });

  it('rejects sequences longer than n_positions', () => {
    const model = gpt2();
    const ids = tf.zeros([1, 17], 'int32') as tf.Tensor2D;
    expect(() => model.call({ inputIds: ids })).toThrow(
      'GPT-2: sequence length 17 exceeds n_positions 16; truncate or window the input',
    );
    ids.dispose();
    model.dispose();
  });
});
