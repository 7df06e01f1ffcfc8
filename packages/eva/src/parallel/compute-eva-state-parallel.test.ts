import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Rng, setBackend, type TokenBatch } from '@peftjs/core';
import { Gpt2LMHeadModel, lmBatches, loadMobyDick } from '@peftjs/models';
import { loadPretrained, savePretrained } from '@peftjs/models/node';
import { beforeAll, expect, it } from 'vitest';
import { computeEvaState } from '../compute-eva-state';
import { expectComponentsClose, separatedComponents } from '@peftjs/test-utils';
import { tinyGpt2 } from '@peftjs/test-utils/models';
import { computeEvaStateParallel, type ParallelEvaOptions } from './compute-eva-state-parallel';

let dir = '';
let batches: TokenBatch[] = [];
beforeAll(async () => {
  await setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'peftjs-eva-workers-'));
  const model = tinyGpt2(3);
  await savePretrained(model, dir);
  model.dispose();
  const text = (await loadMobyDick({ split: 'train' }))
    .slice(2, 5)
    .map((c) => c.text)
    .join('\n');
  const stream = lmBatches(text, { batchSize: 4, seqLen: 32, seed: 9 });
  const rng = new Rng(4);
  batches = Array.from({ length: 16 }, (_, i) => {
    const b = stream.batchAt(i);
    const labels = Int32Array.from(b.labels!.dataSync());
    for (let j = 0; j < 6; j++) labels[rng.int(labels.length)] = -100;
    b.labels!.dispose();
    return { ...b, labels: tf.tensor2d(labels, [4, 32], 'int32') };
  });
});

it('sharding over two worker threads equals one process seeing the batches of each round together (same components per layer, same ranks, |cos| >= 0.999)', async () => {
  const model = await loadPretrained(dir);
  if (!(model instanceof Gpt2LMHeadModel)) throw new Error('expected a GPT-2');
  model.eval();
  // tau = 1 never converges, so every layer sees every row in both runs: the comparison isolates
  // sharding (merged shard statistics) from when each run happened to detach a converged layer.
  const config = {
    r: 4,
    rho: 2,
    tau: 1,
    targetModules: ['c_attn', 'c_proj', 'c_fc'],
    onMaxSteps: 'use-partial' as const,
    solver: 'exact' as const,
  };
  // A round of two workers sees batches 2i and 2i+1: the single process sees them as one batch.
  const paired: TokenBatch[] = Array.from({ length: batches.length / 2 }, (_, i) => {
    const [a, b] = [batches[2 * i]!, batches[2 * i + 1]!];
    return {
      inputIds: tf.concat([a.inputIds, b.inputIds]) as tf.Tensor2D,
      attentionMask: tf.concat([a.attentionMask!, b.attentionMask!]) as tf.Tensor2D,
      labels: tf.concat([a.labels!, b.labels!]) as tf.Tensor2D,
    };
  });
  const single = await computeEvaState(model, paired, { ...config, maxSteps: paired.length });
  const before = tf.memory().numTensors;
  const sharded = await computeEvaStateParallel(
    model,
    batches,
    { ...config, maxSteps: batches.length },
    { workers: 2, modelDir: dir },
  );
  expect(tf.memory().numTensors).toBe(before);
  expect(sharded.steps).toBe(2 * single.steps);
  expect(sharded.layers.map((l) => [l.name, l.rank])).toEqual(single.layers.map((l) => [l.name, l.rank]));
  // Both keep roundHalfEven(r * rho) = 8 components per layer, capped by min(in, out) (all >= 32 here).
  expect(sharded.layers.map((l) => l.components)).toEqual(single.layers.map(() => 8));
  expect(single.layers.map((l) => l.components)).toEqual(single.layers.map(() => 8));
  for (const layer of sharded.layers) {
    expect(layer.componentsData.length).toBe(8 * layer.inFeatures);
    expect(layer.singularValues.length).toBe(8);
  }
  for (const [i, layer] of single.layers.entries()) {
    const rows = separatedComponents(layer.singularValues, 1.05).filter((j) => j < layer.rank);
    expectComponentsClose(sharded.layers[i]!.componentsData, layer.componentsData, {
      cols: layer.inFeatures,
      minAbsCos: 0.999,
      rows,
      label: layer.name,
    });
  }
  for (const p of paired) tf.dispose([p.inputIds, p.attentionMask!, p.labels!]);
  model.dispose();
}, 120_000);

it('converges with workers and gives ranks that sum to the budget', async () => {
  const model = await loadPretrained(dir);
  const state = await computeEvaStateParallel(
    model as Gpt2LMHeadModel,
    batches,
    { r: 4, tau: 0.99, targetModules: ['c_attn', 'c_proj', 'c_fc'], maxSteps: 64 },
    { workers: 2, modelDir: dir },
  );
  expect(state.converged).toBe(true);
  expect(state.layers.reduce((sum, l) => sum + l.rank, 0)).toBe(4 * 8);
  model.dispose();
}, 120_000);

it('needs the checkpoint directory and a whole number of workers to shard', async () => {
  const model = tinyGpt2();
  const noDir = { workers: 2 } as unknown as ParallelEvaOptions; // as a JavaScript caller could pass it
  await expect(computeEvaStateParallel(model, batches, { r: 2 }, noDir)).rejects.toThrow(/needs options.modelDir/);
  await expect(computeEvaStateParallel(model, batches, { r: 2 }, { workers: 1.5, modelDir: dir })).rejects.toThrow(
    'computeEvaStateParallel: workers must be an integer >= 1, got 1.5',
  );
  model.dispose();
});

it('computeEvaState (one thread, browser-safe) points worker options to computeEvaStateParallel', async () => {
  const model = tinyGpt2();
  const options = { workers: 2, modelDir: dir } as unknown as Parameters<typeof computeEvaState>[3];
  await expect(computeEvaState(model, batches, { r: 2 }, options)).rejects.toThrow(
    "for worker threads call computeEvaStateParallel from '@peftjs/eva/node'",
  );
  model.dispose();
});
