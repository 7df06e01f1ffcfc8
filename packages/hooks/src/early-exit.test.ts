import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, disposeBatch, setBackend } from '@peftjs/core';
import { captureLayerInputs } from './capture-layer-inputs';
import { TinyTransformer, paddedBatch } from './tiny-transformer.test-support';

beforeAll(async () => {
  await setBackend('wasm');
});

const TARGETS = ['h.0.attn.q_proj', 'h.0.mlp.fc', 'h.1.attn.o_proj', 'h.1.mlp.proj'];

/**
 * Runs 5 steps with the given early-exit setting, detaching the deepest targets on the way
 * (as EVA does when they converge) and re-attaching one. Returns every row handed to the sink,
 * how often each module of interest ran, and the tensor count around every step.
 */
function run(earlyExit: boolean) {
  const model = new TinyTransformer({ layers: 3, seed: 11 });
  const rng = new Rng(5);
  const batches = Array.from({ length: 5 }, () => paddedBatch(rng, model.vocab, [5, 3, 6], 6, 1));
  const calls: Record<string, number> = { 'h.1.mlp.proj': 0, 'h.2.mlp.fc': 0, lm_head: 0 };
  const probes = Object.keys(calls).map((name) =>
    model.getSubmodule(name).registerForwardHook(() => {
      calls[name] = (calls[name] as number) + 1;
    }),
  );
  const rows: [string, number[][]][] = [];
  const capture = captureLayerInputs(model, {
    targets: TARGETS,
    earlyExit,
    onRows: (layer, r) => void rows.push([layer, r.arraySync()]),
  });
  const callsPerStep: Record<string, number>[] = [];
  const tensorDrift: number[] = [];
  batches.forEach((batch, i) => {
    if (i === 2) capture.detach('h.1.mlp.proj');
    if (i === 3) capture.detach('h.1.attn.o_proj');
    if (i === 4) capture.attach('h.1.mlp.proj');
    const before = tf.memory().numTensors;
    const snapshot = { ...calls };
    capture.step(batch, () => model.call(batch.inputIds));
    tensorDrift.push(tf.memory().numTensors - before);
    callsPerStep.push(Object.fromEntries(Object.entries(calls).map(([k, v]) => [k, v - (snapshot[k] as number)])));
  });
  capture.remove();
  for (const p of probes) p.remove();
  for (const b of batches) disposeBatch(b);
  model.dispose();
  return { rows, callsPerStep, tensorDrift };
}

describe('captureLayerInputs early exit', () => {
  it('hands the sinks exactly the same rows as a full forward pass, and leaks no tensor', () => {
    const on = run(true);
    const off = run(false);
    expect(on.rows.map(([l]) => l)).toEqual(off.rows.map(([l]) => l));
    expect(on.rows).toEqual(off.rows); // bit-identical float32 rows
    expect(on.rows.length).toBe(4 + 4 + 3 + 2 + 3);
    expect(on.tensorDrift).toEqual([0, 0, 0, 0, 0]);
    expect(off.tensorDrift).toEqual([0, 0, 0, 0, 0]);
  });

  it('stops after the deepest attached target: later blocks and the head never run, and it stops earlier as targets detach', () => {
    const on = run(true);
    const off = run(false);
    // step 1 always runs the whole model (a target running twice per pass is reported there)
    expect(on.callsPerStep[0]).toEqual({ 'h.1.mlp.proj': 1, 'h.2.mlp.fc': 1, lm_head: 1 });
    // steps 2-3: the deepest target is h.1.mlp.proj (step 3: h.1.attn.o_proj), so block 2 and the head are skipped
    expect(on.callsPerStep[1]).toEqual({ 'h.1.mlp.proj': 1, 'h.2.mlp.fc': 0, lm_head: 0 });
    expect(on.callsPerStep[2]).toEqual({ 'h.1.mlp.proj': 0, 'h.2.mlp.fc': 0, lm_head: 0 });
    // step 4: only block 0's targets are attached, so the pass stops inside block 0
    expect(on.callsPerStep[3]).toEqual({ 'h.1.mlp.proj': 0, 'h.2.mlp.fc': 0, lm_head: 0 });
    expect(on.callsPerStep[4]).toEqual({ 'h.1.mlp.proj': 1, 'h.2.mlp.fc': 0, lm_head: 0 });
    for (const step of off.callsPerStep) expect(step).toEqual({ 'h.1.mlp.proj': 1, 'h.2.mlp.fc': 1, lm_head: 1 });
  });

  it('rejects a non-boolean earlyExit', () => {
    const model = new TinyTransformer({ layers: 1 });
    expect(() => captureLayerInputs(model, { earlyExit: 'yes' as unknown as boolean, onRows: () => {} })).toThrowError(
      'captureLayerInputs: earlyExit must be true or false, got yes',
    );
    model.dispose();
  });
});
