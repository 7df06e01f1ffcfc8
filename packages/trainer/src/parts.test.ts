import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, Rng, setBackend } from '@peftjs/core';
import { clipGradNorm } from './clip-grad-norm';
import { indexedDataSource } from './data-source';
import { collectModuleRngs } from './module-rngs';
import { progressBar } from './progress-bar';
import { constantScheduleWithWarmup, cosineScheduleWithWarmup, linearScheduleWithWarmup } from './schedule';
import { Sgd } from './sgd';
import { AdamW } from './adamw';
import { train } from './train';
import type { StepInfo } from './train-options';
import { CharLm } from '../test/char-lm';

beforeAll(async () => {
  await setBackend('wasm');
});

describe('schedules (HF formulas)', () => {
  it('cosine with warm-up: 0 at step 0, 1 at the end of warm-up, 0.5 half-way through the decay, 0 at the end', () => {
    const s = cosineScheduleWithWarmup({ warmupSteps: 10, totalSteps: 110 });
    expect(s.multiplier(0)).toBe(0);
    expect(s.multiplier(5)).toBe(0.5);
    expect(s.multiplier(10)).toBe(1);
    expect(s.multiplier(60)).toBeCloseTo(0.5, 12);
    expect(s.multiplier(110)).toBeCloseTo(0, 12);
    expect(s.multiplier(200)).toBeGreaterThanOrEqual(0);
  });
  it('linear and constant with warm-up', () => {
    expect(linearScheduleWithWarmup({ warmupSteps: 2, totalSteps: 10 }).multiplier(6)).toBe(0.5);
    expect(linearScheduleWithWarmup({ warmupSteps: 2, totalSteps: 10 }).multiplier(12)).toBe(0);
    expect(constantScheduleWithWarmup({ warmupSteps: 4 }).multiplier(1)).toBe(0.25);
    expect(constantScheduleWithWarmup({ warmupSteps: 4 }).multiplier(9)).toBe(1);
  });
  it('bad values throw naming the field', () => {
    expect(() => cosineScheduleWithWarmup({ warmupSteps: 5, totalSteps: 3 })).toThrow(
      /totalSteps \(3\) must be >= warmupSteps \(5\)/,
    );
    expect(() => linearScheduleWithWarmup({ warmupSteps: -1, totalSteps: 3 })).toThrow(/warmupSteps/);
    expect(() => new AdamW({ betas: [0.9, 1] })).toThrow(/betas\[1\]/);
    expect(() => new Sgd({ nesterov: true })).toThrow(/nesterov needs momentum > 0/);
  });
});

describe('clipGradNorm', () => {
  it('scales by maxNorm / (norm + 1e-6) when above, leaves gradients alone below, and leaks nothing', () => {
    const grads = new Map<string, tf.Tensor>([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor2d([[0, 4]])],
    ]);
    const before = tf.memory().numTensors;
    const clipped = clipGradNorm(grads, 1);
    expect(clipped.totalNorm).toBeCloseTo(5, 6);
    const coef = 1 / (5 + 1e-6);
    expect(Array.from(clipped.grads.get('a')?.dataSync() ?? [])[0]).toBeCloseTo(3 * coef, 6);
    expect(Array.from(clipped.grads.get('b')?.dataSync() ?? [])[1]).toBeCloseTo(4 * coef, 6);
    const loose = clipGradNorm(grads, 10);
    expect(Array.from(loose.grads.get('b')?.dataSync() ?? [])).toEqual([0, 4]);
    for (const t of [...clipped.grads.values(), ...loose.grads.values()]) t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    for (const t of grads.values()) t.dispose();
  });
});

describe('indexedDataSource', () => {
  it('resuming at startIndex yields exactly the tail of the same epoch order, and epochs differ', () => {
    const source = indexedDataSource({ size: 10, batchSize: 3, makeBatch: (ix) => ix });
    const all = [...(source.batches(0, 0, Rng.derive(1, 'data/epoch-0')) as Iterable<number[]>)];
    expect(all).toHaveLength(3); // dropLast
    expect(source.batchesPerEpoch).toBe(3);
    expect([...(source.batches(0, 2, Rng.derive(1, 'data/epoch-0')) as Iterable<number[]>)]).toEqual(all.slice(2));
    const next = [...(source.batches(1, 0, Rng.derive(1, 'data/epoch-1')) as Iterable<number[]>)];
    expect(next).not.toEqual(all);
    expect(new Set(all.flat()).size).toBe(9);
  });
});

describe('module RNGs', () => {
  it('finds every Dropout generator by module path', () => {
    const model = new CharLm(2, 4, 8, { seed: 1, dropout: 0.1 }).addAdapters(2, { seed: 2, dropout: 0.1 });
    expect([...collectModuleRngs(model).keys()].sort()).toEqual(['drop', 'fc.lora_dropout', 'head.lora_dropout']);
    model.dispose();
  });
});

describe('train options', () => {
  const data = indexedDataSource({ size: 4, batchSize: 2, makeBatch: (ix) => ({ x: tf.ones([ix.length, 2]) }) });
  const loss = (m: Linear, b: { x: tf.Tensor }): tf.Scalar => tf.mean(m.call(b.x)) as tf.Scalar;
  it('needs maxSteps or epochs, and only trainable parameters', async () => {
    const model = new Linear(2, 1);
    await expect(train({ model, data, loss })).rejects.toThrow(/set maxSteps or epochs/);
    model.weight.trainable = false;
    await expect(train({ model, data, loss, maxSteps: 1, parameters: [['weight', model.weight]] })).rejects.toThrow(
      /"weight" is frozen/,
    );
    model.dispose();
  });
  it('epochs with a partial last accumulation window: steps per epoch = ceil(batches / accumulation)', async () => {
    const model = new Linear(2, 1);
    const result = await train({
      model,
      data: indexedDataSource({ size: 10, batchSize: 2, makeBatch: (ix) => ({ x: tf.ones([ix.length, 2]) }) }),
      loss,
      epochs: 2,
      gradientAccumulationSteps: 2,
      countTokens: (b) => b.x.shape[0] as number,
    });
    expect(result.step).toBe(6); // 5 batches per epoch -> 2 full steps + 1 partial
    expect(result.history.map((h) => h.epoch)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(result.history.map((h) => h.tokens)).toEqual([4, 4, 2, 4, 4, 2]);
    model.dispose();
  });
  it('stops after the current step when the signal aborts', async () => {
    const model = new Linear(2, 1);
    const controller = new AbortController();
    const result = await train({
      model,
      data,
      loss,
      maxSteps: 50,
      callbacks: { onStep: ({ step }) => void (step === 3 && controller.abort()) },
      signal: controller.signal,
    });
    expect(result.step).toBe(3);
    expect(result.stoppedEarly).toBe(true);
    model.dispose();
  });
});

describe('Sgd state', () => {
  it('round-trips the momentum buffer: 3 steps + setState + 3 steps equals 6 steps', () => {
    const run = (split: boolean): Float32Array => {
      const layer = new Linear(2, 2, { rng: new Rng(4) });
      const params = [['w', layer.weight]] as const;
      let opt = new Sgd({ learningRate: 0.1, momentum: 0.9 });
      for (let t = 0; t < 6; t++) {
        if (split && t === 3) {
          const state = opt.getState();
          const copy = {
            kind: state.kind,
            scalars: state.scalars,
            tensors: Object.fromEntries(Object.entries(state.tensors).map(([k, v]) => [k, tf.clone(v)])),
          };
          opt.dispose();
          opt = new Sgd({ learningRate: 0.1, momentum: 0.9 });
          opt.setState(copy);
          for (const v of Object.values(copy.tensors)) v.dispose();
        }
        const g = tf.fill([2, 2], t + 1);
        opt.step(params, new Map([['w', g]]), 0.1);
        g.dispose();
      }
      opt.dispose();
      const out = layer.weight.value.dataSync() as Float32Array;
      layer.dispose();
      return out;
    };
    expect(run(true)).toEqual(run(false));
    expect(() => new Sgd({ momentum: 0.9 }).setState({ kind: 'adamw', tensors: {}, scalars: {} })).toThrow(
      /Cannot load a "adamw" optimizer state into a "sgd" optimizer/,
    );
  });
});

describe('progressBar', () => {
  const info = (step: number): StepInfo => ({
    step,
    epoch: 0,
    loss: 2.5,
    learningRate: 1e-3,
    gradNorm: 1,
    tokens: 8,
    scored: 8,
    totalSteps: 20,
    elapsedSeconds: step,
    tokensPerSecond: 1234.4,
    etaSeconds: 75,
  });
  it('redraws one line on a TTY and prints plain lines otherwise', async () => {
    const tty: string[] = [];
    const bar = progressBar({ write: (s: string) => tty.push(s), isTTY: true, columns: 200 });
    await bar.onStep?.(info(10));
    await bar.onEval?.({ step: 10, epoch: 0, metrics: { loss: 2.25 } });
    expect(tty[0]).toBe(
      '\r\x1b[2K[############------------] step 10/20  loss 2.5000  lr 1.00e-3  1,234 tok/s  ETA 1:15',
    );
    expect(tty.slice(1)).toEqual(['\r\x1b[2K', 'eval @ step 10: loss 2.2500\n']);
    const plain: string[] = [];
    const log = progressBar({ write: (s: string) => plain.push(s) }, { every: 5 });
    for (let s = 1; s <= 20; s++) await log.onStep?.(info(s));
    expect(plain).toHaveLength(4);
    expect(plain[0]).toBe('step 5/20  loss 2.5000  lr 1.00e-3  1,234 tok/s  ETA 1:15\n');
  });
});
