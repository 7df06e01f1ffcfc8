import * as tf from '@tensorflow/tfjs-core';
import { setBackend, type TokenBatch } from '@peftjs/core';
import { loadMobyDick } from '@peftjs/models';
import { beforeAll, describe, expect, it } from 'vitest';
import { computeEvaState } from './compute-eva-state';
import type { EvaState } from './eva-state';
import { tinyGpt2 } from '@peftjs/test-utils/models';
import { parityBatches } from '../../../tools/eva/parity-data';

let data: TokenBatch[] = [];
beforeAll(async () => {
  await setBackend('wasm');
  const chapters = await loadMobyDick({ split: 'train' });
  data = parityBatches(
    chapters
      .slice(1, 4)
      .map((c) => c.text)
      .join('\n'),
    { count: 6, batchSize: 4, seqLen: 32, seed: 5 },
  );
});

/** Everything of a state except timings. */
function comparable(state: EvaState) {
  return {
    steps: state.steps,
    converged: state.converged,
    layers: state.layers.map((l) => ({
      ...l,
      componentsData: Array.from(l.componentsData),
      singularValues: Array.from(l.singularValues),
      explainedVarianceRatio: Array.from(l.explainedVarianceRatio),
    })),
  };
}

describe('computeEvaState early exit', () => {
  it('gives an identical state with early exit on and off, leaks no tensor, and reports per-phase time', async () => {
    const model = tinyGpt2(3);
    // block 0's attention only: with early exit the pass stops inside block 0 (block 1 and the LM head never run)
    const config = {
      r: 4,
      rho: 2,
      tau: 0.95,
      targetModules: ['h.0.attn.c_attn', 'h.0.attn.c_proj'],
      maxSteps: 30,
      onMaxSteps: 'use-partial' as const,
    };
    const before = tf.memory().numTensors;
    const phasesSeen: number[] = [];
    const on = await computeEvaState(model, data, config, {
      earlyExit: true,
      onProgress: (p) => void phasesSeen.push(p.phases.forwardSeconds),
    });
    const off = await computeEvaState(model, data, config, { earlyExit: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(comparable(on)).toEqual(comparable(off)); // bit-identical components, spectra, ranks
    expect(on.steps).toBeGreaterThan(2);
    for (const state of [on, off]) {
      const p = state.phases;
      expect(p).toBeDefined();
      if (p === undefined) continue;
      for (const s of [p.forwardSeconds, p.pcaSeconds, p.allocationSeconds]) expect(s).toBeGreaterThan(0);
      expect(p.forwardSeconds + p.pcaSeconds + p.allocationSeconds).toBeLessThanOrEqual(state.seconds);
    }
    expect(phasesSeen).toHaveLength(on.steps);
    expect([...phasesSeen].sort((a, b) => a - b)).toEqual(phasesSeen); // cumulative
    model.dispose();
  });
});
