import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isPeftjsError, NonFiniteError, Rng, setBackend } from '@peftjs/core';
import { CharLm } from '../test/char-lm';
import type { CharBatch } from '../test/char-lm';
import { NonFiniteLossError } from './errors';
import { evaluate } from './evaluate';
import { restoreCheckpoint } from './restore';
import { Sgd } from './sgd';
import { lossMetric } from './metric';

// Issue 15, "NaN and Inf": a non-finite loss is a named PeftjsError (E_NON_FINITE_*) naming the step,
// in training (NonFiniteLossError) and in evaluation, never a NaN average.

beforeAll(async () => {
  await setBackend('wasm');
});

describe('non-finite losses', () => {
  it('NonFiniteLossError is a NonFiniteError (code E_NON_FINITE_LOSS) whose subject is the step', () => {
    const error = new NonFiniteLossError(7, 'loss', Number.NaN, null);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(isPeftjsError(error) && error.code).toBe('E_NON_FINITE_LOSS');
    expect(error.subject).toBe('step 7');
    expect(error.name).toBe('NonFiniteLossError');
    expect(error.message).toMatch(/^Non-finite loss \(NaN\) at step 7; the update was not applied/);
  });

  it('evaluate stops at a held-out batch whose loss is NaN, naming the batch and the step, instead of averaging NaN', async () => {
    const model = new CharLm(2, 4, 8, { seed: 3 }).eval();
    const make = (rows: number): CharBatch => ({
      inputs: tf.tensor2d(
        Array.from({ length: rows }, () => [1, 2]),
        [rows, 2],
        'int32',
      ),
      labels: tf.tensor1d(
        Array.from({ length: rows }, () => 3),
        'int32',
      ),
    });
    let calls = 0;
    const before = tf.memory().numTensors;
    const error = await evaluate({
      model,
      step: 40,
      data: {
        *batches() {
          yield make(2);
          yield make(2);
          yield make(1); // never built: evaluation stops at batch 2
        },
      },
      metrics: [lossMetric()],
      loss: (_m, b) =>
        tf.tidy(() => {
          calls++;
          const loss = model.loss(b as CharBatch);
          return (calls === 2 ? tf.mul(loss, Number.NaN) : loss) as tf.Scalar;
        }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect((error as NonFiniteError).subject).toBe('held-out batch 2');
    expect((error as Error).message).toMatch(/^Non-finite held-out loss \(NaN\) on evaluation batch 2 at step 40;/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('resuming from a checkpoint whose weights hold NaN is an error naming the parameter, before anything is assigned', () => {
    const model = new CharLm(2, 4, 8, { seed: 3 });
    const parameters = model.trainableParameters();
    const [name, parameter] = parameters[0]!;
    const weights = Object.fromEntries(
      parameters.map(([n, p]) => [
        n,
        { dtype: 'F32' as const, shape: p.shape, data: Float32Array.from(p.value.dataSync()) },
      ]),
    );
    (weights[name]!.data as Float32Array)[1] = Number.NaN;
    const original = Array.from(parameter.value.dataSync());
    const checkpoint = {
      dir: 'ckpt/step-000010',
      state: {} as never,
      weights,
      optimizer: { kind: 'sgd', tensors: {}, scalars: {} },
    };
    expect(() => restoreCheckpoint(checkpoint, model, parameters, new Sgd(), new Rng(0))).toThrow(
      new RegExp(`^ckpt/step-000010: parameter "${name.replace(/\./g, '\\.')}" holds 1 NaN or infinite value\\(s\\)`),
    );
    expect(Array.from(parameter.value.dataSync())).toEqual(original);
    model.dispose();
  });
});
