import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from './backend';
import { Linear } from './linear';
import { Module } from './module';
import { ModuleList } from './module-list';
import { LayerNorm } from './norms';
import { Rng } from './rng';

class Block extends Module {
  constructor(rng: Rng) {
    super();
    this.registerModule('ln', new LayerNorm(4));
    this.registerModule('fc', new Linear(4, 4, { rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('fc').call(this.child('ln').call(x)));
  }
}

class Net extends Module {
  constructor() {
    super();
    const rng = new Rng(1);
    this.registerModule('h', new ModuleList([new Block(rng), new Block(rng)]));
    this.registerModule('head', new Linear(4, 2, { rng, bias: false }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const block of this.child<ModuleList<Block>>('h')) y = block.call(y);
      return this.child('head').call(y);
    });
  }
}

class Doubler extends Module {
  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, 2);
  }
}

beforeAll(async () => {
  await setBackend('wasm');
});

describe('Module tree', () => {
  it('lists modules and parameters with Hugging Face style dotted paths', () => {
    const net = new Net();
    expect([...net.namedModules()].map(([p]) => p)).toEqual([
      '',
      'h',
      'h.0',
      'h.0.ln',
      'h.0.fc',
      'h.1',
      'h.1.ln',
      'h.1.fc',
      'head',
    ]);
    expect([...net.namedParameters()].map(([p]) => p)).toEqual([
      'h.0.ln.weight',
      'h.0.ln.bias',
      'h.0.fc.weight',
      'h.0.fc.bias',
      'h.1.ln.weight',
      'h.1.ln.bias',
      'h.1.fc.weight',
      'h.1.fc.bias',
      'head.weight',
    ]);
    expect([...net.children()].map(([n]) => n)).toEqual(['h', 'head']);
    expect(net.parameterCount()).toBe(2 * (4 + 4 + 16 + 4) + 8);
    net.dispose();
  });

  it('gets and sets submodules by path, and the parent uses the replacement', () => {
    const net = new Net();
    const x = tf.randomNormal([3, 4], 0, 1, 'float32', 7);
    expect(net.getSubmodule('h.1.fc')).toBeInstanceOf(Linear);
    const before = net.call(x);
    const old = net.getSubmodule('head');
    net.setSubmodule('head', new Doubler());
    const after = net.call(x);
    expect(after.shape).toEqual([3, 4]);
    expect([...net.namedModules()].map(([p]) => p).at(-1)).toBe('head');
    expect(() => net.getSubmodule('h.7.fc')).toThrow(/"h" has no child "7"/);
    expect(() => net.child('nope')).toThrow(/has no submodule "nope"; it has: h, head/);
    tf.dispose([x, before, after]);
    old.dispose();
    net.dispose();
  });

  it('propagates train/eval through the tree', () => {
    const net = new Net();
    net.eval();
    expect([...net.namedModules()].every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.getSubmodule('h.0.fc').training).toBe(true);
    net.dispose();
  });

  it('a module joining a tree takes its mode (an eval-mode model gets eval-mode new layers, and the reverse)', () => {
    for (const mode of [false, true]) {
      const net = new Net().train(mode);
      const joining = new Net().train(!mode);
      const old = net.getSubmodule('head');
      net.setSubmodule('head', joining);
      expect([...joining.namedModules()].map(([, m]) => m.training)).toEqual(
        [...joining.namedModules()].map(() => mode),
      );
      old.dispose();
      net.dispose();
    }
  });

  it('freezes parameters and reports only the trainable ones', () => {
    const net = new Net();
    net.freeze();
    expect(net.trainableParameters()).toEqual([]);
    net.getSubmodule('head').unfreeze();
    expect(net.trainableParameters().map(([n]) => n)).toEqual(['head.weight']);
    expect(net.parameterCount(true)).toBe(8);
    net.dispose();
  });

  it('fires forward hooks with the inputs and output, and removed hooks stop firing', () => {
    const net = new Net();
    const fc = net.getSubmodule('h.0.fc');
    const seen: number[][] = [];
    const handle = fc.registerForwardHook((module, inputs, output) => {
      expect(module).toBe(fc);
      const input = inputs[0] as tf.Tensor;
      expect(input.shape).toEqual([2, 4]);
      seen.push([...(output as tf.Tensor).shape]);
    });
    const x = tf.ones([2, 4]);
    tf.dispose(net.call(x));
    expect(seen).toEqual([[2, 4]]);
    handle.remove();
    tf.dispose(net.call(x));
    expect(seen).toHaveLength(1);
    x.dispose();
    net.dispose();
  });

  it('leaks no tensors in forward passes with hooks attached', () => {
    const net = new Net();
    const x = tf.ones([5, 4]);
    const handle = net.getSubmodule('h.1.ln').registerForwardHook((_m, inputs) => {
      const copy = tf.clone(inputs[0] as tf.Tensor);
      copy.dispose();
    });
    tf.dispose(net.call(x)); // warm-up allocations of the backend
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) tf.dispose(net.call(x));
    expect(tf.memory().numTensors).toBe(before);
    handle.remove();
    x.dispose();
    net.dispose();
  });

  it('frees every tensor it created when disposed', () => {
    const before = tf.memory().numTensors;
    const net = new Net();
    expect(tf.memory().numTensors).toBe(before + 9);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects names with dots and duplicate kinds', () => {
    const net = new Net();
    expect(() => net.registerModule('a.b', new Doubler())).toThrow(/contain no "."/);
    net.dispose();
  });
});
