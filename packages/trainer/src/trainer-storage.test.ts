import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, Rng, setBackend, type TensorEntry } from '@peftjs/core';
import { AdamW } from './adamw';
import type { Checkpoint } from './checkpoint';
import { toyData, toyLoss } from './toy-regression.test-support';
import { train } from './train';
import type { TrainerStorage } from './trainer-storage';

beforeAll(async () => {
  await setBackend('wasm');
});

const data = toyData;
const loss = toyLoss;
const model = (): Linear => new Linear(3, 2, { rng: new Rng(5) });
const weights = (m: Linear): number[] => [...m.weight.value.dataSync()];

const entry = (t: tf.Tensor): TensorEntry => ({ dtype: 'F32', shape: t.shape.slice(), data: t.dataSync().slice() });

/** A TrainerStorage with no file system at all, as a browser app would write one (over IndexedDB, say). */
function memoryStorage(): TrainerStorage & { checkpoints: Map<string, Checkpoint>; log: Record<string, unknown>[] } {
  const checkpoints = new Map<string, Checkpoint>();
  const log: Record<string, unknown>[] = [];
  const under = (root: string) => [...checkpoints.keys()].filter((k) => k.startsWith(`${root}#`)).sort();
  return {
    checkpoints,
    log,
    async writeCheckpoint(root, tensors, optimizer, state) {
      const location = `${root}#${String(state.step).padStart(6, '0')}`;
      const weights = Object.fromEntries(tensors.map(([name, t]) => [name, entry(t)]));
      const optimizerTensors = Object.fromEntries(Object.entries(optimizer.tensors).map(([k, t]) => [k, entry(t)]));
      checkpoints.set(location, {
        dir: location,
        state: structuredClone({ ...state, files: {} }),
        weights,
        optimizer: { kind: optimizer.kind, tensors: optimizerTensors, scalars: { ...optimizer.scalars } },
      });
      return location;
    },
    findLatestCheckpoint: async (path) => (checkpoints.has(path) ? path : (under(path).pop() ?? null)),
    readCheckpoint: async (location) => checkpoints.get(location) as Checkpoint,
    async pruneCheckpoints(root, keep) {
      for (const k of under(root).slice(0, -keep)) checkpoints.delete(k);
    },
    removeStaleTemporaries: async () => undefined,
    async openMetricsLog(_path, resumedStep) {
      log.splice(0, log.length, ...log.filter((r) => resumedStep !== null && (r.step as number) <= resumedStep));
      return { write: async (record) => void log.push(record) };
    },
  };
}

describe('TrainerStorage', () => {
  it('checkpoint, resume or metricsLog without a storage is an E_TRAINER_STORAGE error naming them', async () => {
    const options = { model: model(), data, loss, maxSteps: 2, optimizer: new AdamW() };
    await expect(train({ ...options, checkpoint: { dir: 'x', every: 1 }, metricsLog: 'x.jsonl' })).rejects.toThrow(
      "train: checkpoint, metricsLog need options.storage; on Node pass fileStorage from '@peftjs/trainer/node'",
    );
    await expect(train({ ...options, resume: 'x' })).rejects.toMatchObject({ code: 'E_TRAINER_STORAGE' });
  });

  it('a storage with no files checkpoints and resumes a run exactly, and frees every tensor', async () => {
    const straight = model();
    const straightRun = await train({
      model: straight,
      data,
      loss,
      maxSteps: 8,
      optimizer: new AdamW({ learningRate: 0.05 }),
    });
    const storage = memoryStorage();
    const before = tf.memory().numTensors;
    const first = model();
    await train({
      model: first,
      data,
      loss,
      maxSteps: 4,
      optimizer: new AdamW({ learningRate: 0.05 }),
      checkpoint: { dir: 'run', every: 2, keepLast: 1 },
      metricsLog: 'run.jsonl',
      storage,
    });
    expect([...storage.checkpoints.keys()]).toEqual(['run#000004']);
    const second = model();
    const resumed = await train({
      model: second,
      data,
      loss,
      maxSteps: 8,
      optimizer: new AdamW({ learningRate: 0.05 }),
      resume: 'run',
      metricsLog: 'run.jsonl',
      storage,
    });
    expect(resumed.resumedFrom).toBe('run#000004');
    expect(resumed.history.map((h) => h.loss)).toEqual(straightRun.history.map((h) => h.loss));
    expect(weights(second)).toEqual(weights(straight));
    expect(storage.log.filter((r) => r.type === 'step').map((r) => r.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    first.dispose();
    second.dispose();
    expect(tf.memory().numTensors).toBe(before);
    straight.dispose();
  });
});
