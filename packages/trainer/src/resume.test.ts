import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setBackend } from '@peftjs/core';
import { CharLm, charData, mobyDickIds, snapshot } from '../test/char-lm';
import type { CharBatch } from '../test/char-lm';
import { AdamW } from './adamw';
import { findLatestCheckpoint, readCheckpoint } from './checkpoint';
import { fileStorage } from './file-storage';
import type { DataSource } from './data-source';
import { NonFiniteLossError } from './errors';
import { cosineScheduleWithWarmup } from './schedule';
import { train } from './train';
import type { TrainOptions } from './train-options';

let root: string;
let ids: Int32Array;
let heldOut: Int32Array;

beforeAll(async () => {
  await setBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'peftjs-trainer-'));
  ids = mobyDickIds([1]);
  heldOut = mobyDickIds([2]);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh model as a new process would build it: same seeds, dropout active in the base and the adapters. */
function freshModel(): CharLm {
  return new CharLm(4, 8, 32, { seed: 11, dropout: 0.2 }).addAdapters(3, { seed: 7, dropout: 0.1 });
}

// 200 examples / batch 8 = 25 micro-batches per epoch; with accumulation 3 an epoch is 8 full steps
// and one partial step, so 40 steps cross several epoch boundaries and step 20 is mid-epoch.
function options(model: CharLm, overrides: Partial<TrainOptions<CharLm, CharBatch>>): TrainOptions<CharLm, CharBatch> {
  return {
    model,
    data: charData(ids, 4, { batchSize: 8, count: 200, stride: 3 }),
    maxSteps: 40,
    gradientAccumulationSteps: 3,
    optimizer: new AdamW({ learningRate: 0.01 }),
    schedule: cosineScheduleWithWarmup({ warmupSteps: 4, totalSteps: 40 }),
    maxGradNorm: 1,
    seed: 'resume-test',
    evaluation: { data: charData(heldOut, 4, { batchSize: 64, count: 128, shuffle: false }), every: 10 },
    storage: fileStorage,
    ...overrides,
  };
}

function trainedWeights(model: CharLm): Map<string, Float32Array> {
  const all = snapshot(model);
  return new Map(model.trainableParameters().map(([n]) => [n, all.get(n) as Float32Array]));
}

function expectClose(a: Map<string, Float32Array>, b: Map<string, Float32Array>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [name, x] of a) {
    const y = b.get(name) as Float32Array;
    let worst = 0;
    x.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - (y[i] as number)));
    });
    expect(worst, name).toBeLessThanOrEqual(1e-6);
  }
}

describe('exact resume', () => {
  let straight: { weights: Map<string, Float32Array>; losses: number[]; evals: readonly unknown[] };

  beforeAll(async () => {
    const model = freshModel();
    const result = await train(options(model, { checkpoint: { dir: join(root, 'straight'), every: 10 } }));
    straight = { weights: trainedWeights(model), losses: result.history.map((h) => h.loss), evals: result.evals };
    model.dispose();
  });

  it('40 steps straight equal 20 steps, a stop, and a resume to 40 (accumulation, dropout, epochs, clipping)', async () => {
    const dir = join(root, 'stopped');
    const log = join(root, 'stopped.jsonl');
    const first = freshModel();
    const part = await train(
      options(first, { maxSteps: 20, checkpoint: { dir, every: 10, keepLast: 2 }, metricsLog: log }),
    );
    expect(part.step).toBe(20);
    expect(part.epoch).toBe(2); // 9 steps per epoch
    expect(part.lastCheckpoint).toBe(join(dir, 'step-000020'));
    first.dispose();

    const second = freshModel(); // a new process: weights, optimizer, data position and RNGs come from disk
    const resumed = await train(
      options(second, { resume: dir, checkpoint: { dir, every: 10, keepLast: 2 }, metricsLog: log }),
    );
    expect(resumed.resumedFrom).toBe(join(dir, 'step-000020'));
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.losses);
    await expect(train(options(freshModel(), { resume: dir, seed: 'other' }))).rejects.toThrow(
      /written with seed "resume-test" but options.seed is "other"/,
    );
    expect(resumed.evals).toEqual(straight.evals);
    expectClose(trainedWeights(second), straight.weights);
    second.dispose();

    expect((await readdir(dir)).sort()).toEqual(['step-000030', 'step-000040']); // keepLast: 2
    const lines = (await readFile(log, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; step: number; loss?: number });
    expect(lines.filter((l) => l.type === 'step').map((l) => l.loss)).toEqual(straight.losses);
  });

  it('without restoring dropout RNGs the run differs (the test above can fail)', async () => {
    const dir = join(root, 'no-rng');
    const first = freshModel();
    await train(options(first, { maxSteps: 20, checkpoint: { dir, every: 20 } }));
    first.dispose();
    const state = join(dir, 'step-000020', 'trainer_state.json');
    const json = JSON.parse(await readFile(state, 'utf8')) as { moduleRngs: Record<string, unknown> };
    const other = freshModel();
    const drop = other.getSubmodule('drop') as unknown as { rng: { getState(): unknown; uniform(): number } };
    drop.rng.uniform();
    json.moduleRngs.drop = drop.rng.getState();
    await writeFile(state, JSON.stringify(json));
    const resumed = await train(options(other, { resume: dir }));
    expect(resumed.history.slice(0, 20).map((h) => h.loss)).toEqual(straight.losses.slice(0, 20));
    expect(resumed.history.slice(20).map((h) => h.loss)).not.toEqual(straight.losses.slice(20));
    other.dispose();
  });

  it('an interrupted checkpoint write leaves the previous one readable, and resume picks the last complete one', async () => {
    const dir = join(root, 'interrupted');
    const first = freshModel();
    await train(options(first, { maxSteps: 20, checkpoint: { dir, every: 10 } }));
    first.dispose();
    // A writer killed while writing step 30: a half-written temporary directory, and a step directory
    // whose trainer_state.json never arrived, and one whose weights file was truncated.
    await mkdir(join(dir, '.tmp-step-000030-999-x'));
    await writeFile(join(dir, '.tmp-step-000030-999-x', 'model.safetensors'), new Uint8Array(10));
    await mkdir(join(dir, 'step-000030'));
    await writeFile(join(dir, 'step-000030', 'model.safetensors'), new Uint8Array(10));
    await mkdir(join(dir, 'step-000035'));
    for (const f of ['optimizer.safetensors', 'trainer_state.json'])
      await writeFile(join(dir, 'step-000035', f), await readFile(join(dir, 'step-000020', f)));
    const state = JSON.parse(await readFile(join(dir, 'step-000020', 'trainer_state.json'), 'utf8')) as {
      step: number;
    };
    await writeFile(join(dir, 'step-000035', 'trainer_state.json'), JSON.stringify({ ...state, step: 35 }));
    await writeFile(
      join(dir, 'step-000035', 'model.safetensors'),
      (await readFile(join(dir, 'step-000020', 'model.safetensors'))).subarray(0, 50),
    );

    expect(await findLatestCheckpoint(dir)).toBe(join(dir, 'step-000020'));
    await expect(readCheckpoint(join(dir, 'step-000035'))).rejects.toThrow(
      /model\.safetensors has 50 bytes but \d+ were written/,
    );
    const checkpoint = await readCheckpoint(join(dir, 'step-000020'));
    expect(checkpoint.state.step).toBe(20);

    const second = freshModel();
    const resumed = await train(options(second, { resume: dir, checkpoint: { dir, every: 10 } }));
    expect(resumed.resumedFrom).toBe(join(dir, 'step-000020'));
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.losses);
    expectClose(trainedWeights(second), straight.weights);
    second.dispose();
    expect((await readdir(dir)).filter((n) => n.startsWith('.'))).toEqual([]); // stale temporaries removed
  });
});

describe('failures and memory', () => {
  it('a non-finite loss stops the run with NonFiniteLossError naming the step; the last checkpoint stays', async () => {
    const dir = join(root, 'nan');
    const model = freshModel();
    const run = train(
      options(model, {
        gradientAccumulationSteps: 1,
        evaluation: undefined,
        checkpoint: { dir, every: 5 },
        loss: (m, b, ctx) => (ctx.step === 6 ? (tf.mul(m.loss(b), NaN) as tf.Scalar) : m.loss(b)),
      }),
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    const e = error as NonFiniteLossError;
    expect(e.step).toBe(7);
    expect(e.quantity).toBe('loss');
    expect(e.lastCheckpoint).toBe(join(dir, 'step-000005'));
    expect(e.message).toMatch(/at step 7/);
    for (const [, p] of model.trainableParameters())
      expect(Array.from(p.value.dataSync()).every(Number.isFinite)).toBe(true);
    expect((await readCheckpoint(join(dir, 'step-000005'))).state.step).toBe(5);
    expect(await findLatestCheckpoint(dir)).toBe(join(dir, 'step-000005'));
    model.dispose();
  });

  it('a non-finite gradient (finite loss) is reported as such', async () => {
    const model = freshModel();
    const error = await train(
      options(model, {
        evaluation: undefined,
        loss: (m, b) => {
          const w = m.trainableParameters()[0]?.[1].value as tf.Tensor;
          return tf.add(m.loss(b), tf.sqrt(tf.mul(tf.sum(tf.square(w)), 0))) as tf.Scalar; // d sqrt(x)/dx at 0 is infinite
        },
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteLossError);
    expect((error as NonFiniteLossError).quantity).toBe('gradient norm');
    expect((error as NonFiniteLossError).step).toBe(1);
    model.dispose();
  });

  it('leaks no tensors over 50 steps; tensor count and bytes stay flat', async () => {
    const model = freshModel();
    const before = tf.memory();
    const counts: number[] = [];
    const bytes: number[] = [];
    const data: DataSource<CharBatch> = charData(ids, 4, { batchSize: 8, count: 200, stride: 3 });
    await train(
      options(model, {
        data,
        maxSteps: 50,
        callbacks: {
          onStep: () => {
            counts.push(tf.memory().numTensors);
            bytes.push(tf.memory().numBytes);
          },
        },
      }),
    );
    expect(counts).toHaveLength(50);
    expect(new Set(counts.slice(1)).size).toBe(1); // optimizer state is allocated at step 1, then nothing grows
    expect(new Set(bytes.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    model.dispose();
  });
});
