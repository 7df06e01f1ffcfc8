import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Linear, setBackend } from '@peftjs/core';
import { AdamW } from './adamw';
import { findLatestCheckpoint, readCheckpoint } from './checkpoint';
import { fileStorage } from './file-storage';
import { toyData, toyLoss } from './toy-regression.test-support';
import { train } from './train';

// Injected disk failure: while `failOn` matches, renaming a file onto a matching path throws ENOSPC,
// as a full disk would in the middle of writing a checkpoint (after some of its files were written).
const injected = vi.hoisted(() => ({ failOn: null as RegExp | null }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  const rename = async (from: string, to: string): Promise<void> => {
    if (injected.failOn?.test(String(to)))
      throw Object.assign(new Error(`ENOSPC: no space left on device, rename '${String(to)}'`), { code: 'ENOSPC' });
    return actual.rename(from, to);
  };
  return { ...actual, rename, default: { ...actual, rename } };
});

let root: string;
beforeAll(async () => {
  await setBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'peftjs-trainer-fail-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('a checkpoint write that fails part-way', () => {
  it('raises the error, leaves the previous checkpoint complete and readable, and no temporary directory', async () => {
    const dir = join(root, 'run');
    const model = new Linear(3, 2);
    const data = toyData;
    const loss = toyLoss;
    const before = tf.memory().numTensors;
    const error = await train({
      model,
      data,
      loss,
      maxSteps: 12,
      optimizer: new AdamW({ learningRate: 0.01 }),
      checkpoint: { dir, every: 4 },
      storage: fileStorage,
      callbacks: {
        onCheckpoint: ({ step }) => {
          // After step 4 is saved, make step 8's optimizer file fail (its weights file gets written first).
          if (step === 4) injected.failOn = /step-000008-[^/\\]*[/\\]optimizer\.safetensors$/;
        },
      },
    }).catch((e: unknown) => e);
    injected.failOn = null;
    expect(String(error)).toMatch(/ENOSPC/);
    expect(tf.memory().numTensors).toBe(before); // optimizer state freed on the error path too
    expect((await readdir(dir)).sort()).toEqual(['step-000004']);
    expect(await findLatestCheckpoint(dir)).toBe(join(dir, 'step-000004'));
    const checkpoint = await readCheckpoint(join(dir, 'step-000004'));
    expect(checkpoint.state.step).toBe(4);
    expect(Object.keys(checkpoint.weights).sort()).toEqual(['bias', 'weight']);

    // And the run resumes from it.
    const resumed = await train({
      model,
      data,
      loss,
      maxSteps: 12,
      optimizer: new AdamW({ learningRate: 0.01 }),
      checkpoint: { dir, every: 4 },
      storage: fileStorage,
      resume: dir,
    });
    expect(resumed.resumedFrom).toBe(join(dir, 'step-000004'));
    expect(resumed.history).toHaveLength(12);
    expect(await findLatestCheckpoint(dir)).toBe(join(dir, 'step-000012'));
    model.dispose();
  });
});
