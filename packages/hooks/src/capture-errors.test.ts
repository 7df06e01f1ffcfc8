import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedding, Linear, Module, Rng, disposeBatch, setBackend } from '@peftjs/core';
import { captureLayerInputs, type CaptureOptions } from './capture-layer-inputs';
import { TinyTransformer, paddedBatch } from './tiny-transformer.test-support';

let model: TinyTransformer;
let batch: ReturnType<typeof paddedBatch>;
beforeAll(async () => {
  await setBackend('wasm');
  model = new TinyTransformer({ layers: 1 });
  batch = paddedBatch(new Rng(1), model.vocab, [4, 2], 4, 1);
});
afterAll(() => {
  disposeBatch(batch);
  model.dispose();
});

/** Expects one step to throw `message`, leak nothing, and call no sink. */
function expectStepError(
  m: Module,
  options: Omit<CaptureOptions, 'onRows'>,
  message: string | RegExp,
  forward: () => unknown = () => m.call(batch.inputIds),
) {
  const sunk: string[] = [];
  const capture = captureLayerInputs(m, { ...options, onRows: (l) => void sunk.push(l) });
  const before = tf.memory().numTensors;
  expect(() => capture.step(batch, forward)).toThrowError(message);
  expect(tf.memory().numTensors).toBe(before);
  expect(sunk).toEqual([]);
  capture.remove();
}

class Scale extends Module<[number], tf.Tensor> {
  forward(n: number): tf.Tensor {
    return tf.scalar(n);
  }
}
class Pooled extends Module {
  constructor() {
    super();
    this.registerModule('wte', new Embedding(11, 4, { rng: new Rng(1) }));
    this.registerModule('head', new Linear(4, 3, { rng: new Rng(2) }));
    this.registerModule('scale', new Scale());
  }
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('head').call(tf.mean(this.child('wte').call(ids), 1))); // [B, T, d] -> [B, d]
  }
}
class Twice extends Module {
  constructor() {
    super();
    this.registerModule('wte', new Embedding(11, 4, { rng: new Rng(1) }));
    this.registerModule('fc', new Linear(4, 4, { rng: new Rng(2) }));
  }
  forward(ids: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('fc').call(this.child('fc').call(this.child('wte').call(ids))));
  }
}

describe('captureLayerInputs errors', () => {
  it('a target that matches nothing, with suggestions', () => {
    expect(() => captureLayerInputs(model, { targets: ['q_prj', 'fc'], onRows: () => {} })).toThrowError(
      /A target matches no module of the model: "q_prj" \(did you mean "q_proj"/,
    );
  });

  it('a layer that never runs during the forward pass', () => {
    const m = new TinyTransformer({ layers: 1 });
    m.registerModule('unused', new Linear(8, 8));
    m.getSubmodule('h.0').registerModule('spare', new Linear(8, 8));
    expectStepError(
      m,
      {},
      '2 target layer(s) did not run during the forward pass: h.0.spare, unused. Check that forward() calls the model',
    );
    m.dispose();
  });

  it('NaN/Inf activations, naming the layers', () => {
    const m = new TinyTransformer({ layers: 1 });
    const fc = m.getSubmodule('h.0.mlp.fc') as Linear;
    fc.weight.assign(tf.fill([16, 8], Number.NaN));
    expectStepError(
      m,
      {},
      'Non-finite activations (NaN or Inf) in the inputs of "h.0.mlp.proj", "lm_head" at step 1; check the model weights',
    );
    // the check can be turned off
    const capture = captureLayerInputs(m, { targets: ['proj'], checkFinite: false, onRows: () => {} });
    expect(capture.step(batch, () => m.call(batch.inputIds)).rowsPerLayer['h.0.mlp.proj']).toBe(4);
    capture.remove();
    m.dispose();
  });

  it('inputs that are not float tensors, or not aligned with the batch positions', () => {
    const m = new Pooled();
    expectStepError(
      m,
      { targets: ['wte'] },
      'Layer "wte" received an input of dtype int32 and shape [2, 4]; activation capture needs float32 activations',
    );
    expectStepError(
      m,
      { targets: ['head'] },
      'Layer "head" received an input of shape [2, 4] but the batch has 8 positions [2, 4]; the input must be [2, 4, features] (or [8, features]). Pass prepareLayerInputs for this layer',
    );
    expectStepError(
      m,
      { targets: ['scale'] },
      'Layer "scale" (Scale) received a number as its first input; targets must be modules whose input is a tensor',
      () => {
        m.child<Scale>('scale').call(2);
      },
    );
    // with a preparation that knows the layer sees one row per sequence, it works
    const capture = captureLayerInputs(m, {
      targets: ['head'],
      prepareLayerInputs: { head: (x) => x as tf.Tensor2D },
      onRows: () => {},
    });
    expect(capture.step(batch, () => m.call(batch.inputIds)).rowsPerLayer).toEqual({ head: 2 });
    capture.remove();
    expectStepError(
      m,
      { targets: ['head'], prepareLayerInputs: (x) => tf.expandDims(x, 0) as tf.Tensor2D },
      'prepareLayerInputs for layer "head" returned shape [1, 2, 4]; it must return a 2-D [rows, features] tensor',
    );
    m.dispose();
  });

  it('a layer that runs twice in one step', () => {
    const m = new Twice();
    expectStepError(m, { targets: ['fc'] }, 'Layer "fc" ran 2 times in one forward pass');
    m.dispose();
  });

  it('unknown names in a prepareLayerInputs map, and bad options', () => {
    const id = (x: tf.Tensor) => x as tf.Tensor2D;
    expect(() =>
      captureLayerInputs(model, {
        targets: ['fc'],
        prepareLayerInputs: { fc: id, 'h.0.mlp.fc': id, 'h.0.attn.q_proj': id },
        onRows: () => {},
      }),
    ).toThrowError(
      'prepareLayerInputs is a map, but these keys are not captured layers: fc, h.0.attn.q_proj. Use full module paths among: h.0.mlp.fc',
    );
    expect(() => captureLayerInputs(model, { labelMaskValue: 0.5, onRows: () => {} })).toThrowError(
      'labelMaskValue must be an integer label id, got 0.5',
    );
    expect(() => captureLayerInputs(model, {} as CaptureOptions)).toThrowError(/onRows must be a function/);
  });

  it('a failing forward or sink leaks nothing and leaves the capture usable; nested or removed steps are refused', () => {
    const capture = captureLayerInputs(model, {
      targets: ['fc'],
      onRows: () => {
        throw new Error('sink failed');
      },
    });
    const before = tf.memory().numTensors;
    expect(() =>
      capture.step(batch, () => {
        model.call(batch.inputIds);
        throw new Error('forward failed');
      }),
    ).toThrowError('forward failed');
    expect(() => capture.step(batch, () => model.call(batch.inputIds))).toThrowError('sink failed');
    expect(() => capture.step(batch, () => capture.step(batch, () => model.call(batch.inputIds)))).toThrowError(
      'capture.step was called during another step',
    );
    expect(tf.memory().numTensors).toBe(before);
    capture.remove();
    expect(() => capture.step(batch, () => model.call(batch.inputIds))).toThrowError(
      'This capture was removed; create a new one with captureLayerInputs',
    );
  });
});
