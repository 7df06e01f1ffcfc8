import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { LayerNorm, Linear, Module, RMSNorm, setBackend } from '@peftjs/core';
import type { AnyModule } from '@peftjs/core';
import { AdamW } from './adamw';
import { decayParameterNames } from './decay-parameter-names';
import { Sgd } from './sgd';
import { train } from './train';

beforeAll(async () => {
  await setBackend('wasm');
});

class Node extends Module<[tf.Tensor], tf.Tensor> {
  forward(x: tf.Tensor): tf.Tensor {
    return x;
  }
}

/** A module tree with the given leaves at dotted paths (intermediate modules created as needed). */
function tree(leaves: [string, AnyModule][]): Node {
  const root = new Node();
  for (const [path, leaf] of leaves) {
    const parts = path.split('.');
    let node: AnyModule = root;
    parts.forEach((part, i) => {
      const existing = [...node.children()].find(([n]) => n === part)?.[1];
      const next: AnyModule = existing ?? (i === parts.length - 1 ? leaf : new Node());
      if (existing === undefined) node.registerModule(part, next);
      node = next;
    });
  }
  return root;
}

/** `ln(fc(x))` with fc.bias = 0.5 and LayerNorm gain 1, bias 0. */
class Small extends Module<[tf.Tensor], tf.Tensor> {
  constructor() {
    super();
    const fc = new Linear(2, 2);
    fc.weight.assign(
      tf.tensor2d([
        [1, 2],
        [3, 4],
      ]),
    );
    fc.bias?.assign(tf.fill([2], 0.5));
    this.registerModule('fc', fc);
    this.registerModule('ln', new LayerNorm(2));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return this.child('ln').call(this.child('fc').call(x));
  }
}

const values = (m: AnyModule): Record<string, number[]> =>
  Object.fromEntries([...m.namedParameters()].map(([n, p]) => [n, Array.from(p.value.dataSync())]));
// A zero gradient isolates decoupled decay: AdamW's Adam term is m / (sqrt(v) + eps) = 0, so p -> p (1 - lr wd).
const zeroLoss = (m: Small, b: { x: tf.Tensor }) => tf.mul(tf.sum(m.call(b.x)), 0) as tf.Scalar;
const oneBatch = { batches: () => [{ x: tf.ones([1, 2]) }] };

describe('weight decay follows Hugging Face Trainer groups', () => {
  it('decays Linear weights but not biases or LayerNorm parameters (one AdamW step, lr 0.1, decay 0.1)', async () => {
    const model = new Small();
    const tensors = tf.memory().numTensors;
    await train({
      model,
      data: oneBatch,
      loss: zeroLoss,
      maxSteps: 1,
      optimizer: new AdamW({ learningRate: 0.1, weightDecay: 0.1 }),
    });
    expect(tf.memory().numTensors).toBe(tensors);
    const v = values(model);
    [1, 2, 3, 4].forEach((w, i) => {
      expect(v['fc.weight']![i]).toBeCloseTo(w * 0.99, 6);
    });
    expect(v['fc.bias']).toEqual([0.5, 0.5]);
    expect(v['ln.weight']).toEqual([1, 1]);
    expect(v['ln.bias']).toEqual([0, 0]);
    model.dispose();
  });

  it('decayParameterNames: LayerNorm modules by type, bias / layernorm / rmsnorm / norm / _norm by name', () => {
    const model = tree([
      ['h.0.ln_1', new LayerNorm(2)],
      ['h.0.attn.c_attn', new Linear(2, 2)],
      ['model.layers.0.input_layernorm', new RMSNorm(2)],
      ['model.layers.0.self_attn.q_norm', new RMSNorm(2)],
      ['model.norm', new RMSNorm(2)],
      ['encoder.LayerNorm', new RMSNorm(2)],
      ['norm_layer', new RMSNorm(2)],
      ['normalizer', new Linear(2, 2, { bias: false })],
      ['q.lora_A.default', new Linear(2, 1, { bias: false })],
    ]);
    // By hand from HF's rule: only these match neither a LayerNorm module nor a forbidden pattern.
    expect([...decayParameterNames(model)].sort()).toEqual([
      'h.0.attn.c_attn.weight',
      'norm_layer.weight',
      'normalizer.weight',
      'q.lora_A.default.weight',
    ]);
    model.dispose();
  });

  it('parameter groups a user sets take precedence; the rest follow the default rule', async () => {
    for (const kind of ['adamw', 'sgd'] as const) {
      const model = new Small();
      const parameterGroups = [
        { parameters: (name: string) => name === 'ln.weight', weightDecay: 0.5 },
        { parameters: ['fc.weight'], weightDecay: 0 },
      ];
      const optimizer =
        kind === 'adamw'
          ? new AdamW({ learningRate: 0.1, weightDecay: 0.1, parameterGroups })
          : new Sgd({ learningRate: 0.1, weightDecay: 0.1, parameterGroups });
      await train({ model, data: oneBatch, loss: zeroLoss, maxSteps: 1, optimizer });
      const v = values(model);
      // AdamW: p (1 - lr wd); SGD (coupled): p - lr (0 + wd p). Both give p (1 - 0.1 * 0.5) = 0.95 p for ln.weight.
      expect(v['ln.weight']![0]).toBeCloseTo(0.95, 6);
      expect(v['fc.weight']).toEqual([1, 2, 3, 4]);
      expect(v['fc.bias']).toEqual([0.5, 0.5]);
      model.dispose();
    }
    expect(() => new AdamW({ parameterGroups: [{ parameters: ['a'], weightDecay: -1 }] })).toThrow(
      /parameterGroups\[0\]\.weightDecay must be a finite number >= 0/,
    );
  });
});
