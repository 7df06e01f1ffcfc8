import * as tf from '@tensorflow/tfjs-core';
import { Linear, Rng, setBackend, type FeatureBatch, type TokenBatch } from '@peftjs/core';
import { LoraLinear } from '@peftjs/lora';
import { MlpClassifier, loadMobyDick, mlpConfig } from '@peftjs/models';
import type { RankAllocator } from '@peftjs/rank-allocator';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyEva } from './apply-eva';
import { initializeEva } from './initialize-eva';
import { computeEvaState } from './compute-eva-state';
import { decodeEvaState, encodeEvaState } from './eva-state-io';
import { initialA } from './eva-state';
import { expectComponentsClose, separatedComponents } from '@peftjs/test-utils';
import { tinyGpt2 } from '@peftjs/test-utils/models';
import { GroupedToy } from './grouped-toy.test-support';
import { parityBatches } from '../../../tools/eva/parity-data';

let text = '';
beforeAll(async () => {
  await setBackend('wasm');
  const chapters = await loadMobyDick({ split: 'train' });
  text = chapters
    .slice(1, 4)
    .map((c) => c.text)
    .join('\n');
});

/** Real-text batches with right padding on one row and prompt tokens labelled -100 (shared with the PEFT parity fixture). */
function batches(count: number, batchSize = 4, seqLen = 32, seed = 3): TokenBatch[] {
  return parityBatches(text, { count, batchSize, seqLen, seed });
}

function disposeAll(list: TokenBatch[]): void {
  for (const b of list)
    tf.dispose([b.inputIds, b.attentionMask, b.labels].filter((t): t is tf.Tensor2D => t !== undefined));
}

const TARGETS = ['c_attn', 'c_proj', 'c_fc'];

describe('computeEvaState on a GPT-2', () => {
  it('gives ranks that sum to the budget, each within r * rho, and components with orthonormal rows', async () => {
    const model = tinyGpt2();
    const data = batches(6);
    const state = await computeEvaState(model, data, {
      r: 4,
      rho: 2,
      tau: 0.9,
      targetModules: TARGETS,
      maxSteps: 60,
      onMaxSteps: 'use-partial',
    });
    expect(state.layers.map((l) => l.name)).toEqual([
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.attn.c_proj',
      'transformer.h.0.mlp.c_fc',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.1.attn.c_attn',
      'transformer.h.1.attn.c_proj',
      'transformer.h.1.mlp.c_fc',
      'transformer.h.1.mlp.c_proj',
    ]);
    expect(state.layers.reduce((s, l) => s + l.rank, 0)).toBe(4 * 8);
    for (const layer of state.layers) {
      expect(layer.rank).toBeLessThanOrEqual(8);
      const d = layer.inFeatures;
      for (let i = 0; i < layer.components; i++) {
        for (let j = i; j < layer.components; j++) {
          let dot = 0;
          for (let c = 0; c < d; c++)
            dot += (layer.componentsData[i * d + c] as number) * (layer.componentsData[j * d + c] as number);
          expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-4);
        }
      }
    }
    expect(state.steps).toBeGreaterThan(1);
    disposeAll(data);
    model.dispose();
  });

  it('rho = 1 gives every layer exactly r', async () => {
    const model = tinyGpt2();
    const data = batches(4);
    const state = await computeEvaState(model, data, {
      r: 3,
      rho: 1,
      tau: 0.5,
      targetModules: TARGETS,
      maxSteps: 40,
      onMaxSteps: 'use-partial',
    });
    expect(state.layers.map((l) => l.rank)).toEqual(new Array(8).fill(3));
    disposeAll(data);
    model.dispose();
  });

  it('after a single batch, matches an exact PCA of the kept input rows (|cos| >= 0.999 for separated components)', async () => {
    const model = tinyGpt2();
    const data = batches(1);
    const target = 'transformer.h.1.mlp.c_fc';
    const state = await computeEvaState(model, data, {
      r: 2,
      rho: 2,
      targetModules: [target],
      maxSteps: 1,
      onMaxSteps: 'use-partial',
      solver: 'exact',
    });
    // Reference: capture the layer's input with a plain hook, keep rows where mask == 1 and label != -100, centre, SVD.
    const captured: number[][] = [];
    const layer = model.getSubmodule(target);
    const handle = layer.registerForwardHook((_m, inputs) => {
      captured.push(...(tf.reshape(inputs[0] as tf.Tensor, [-1, 32]).arraySync() as number[][]));
    });
    tf.dispose(model.call(data[0]!));
    handle.remove();
    const mask = data[0]!.attentionMask!.dataSync();
    const labels = data[0]!.labels!.dataSync();
    const rows = captured.filter((_, i) => mask[i] === 1 && labels[i] !== -100);
    const x = new Matrix(rows);
    const centred = x.subRowVector(x.mean('column'));
    const svd = new SingularValueDecomposition(centred, { autoTranspose: true });
    const ours = state.layers[0]!;
    const s = svd.diagonal;
    const separated = separatedComponents(s, 1.05).filter((j) => j < ours.components);
    const reference = svd.rightSingularVectors.transpose().to2DArray(); // rows: right-singular vectors
    const { compared } = expectComponentsClose(ours.componentsData, reference, {
      cols: 32,
      minAbsCos: 0.999,
      rows: separated,
    });
    expect(compared).toBeGreaterThan(0);
    const total = centred.pow(2).sum();
    expect(ours.explainedVarianceRatio[0]).toBeCloseTo(s[0]! ** 2 / total, 4);
    disposeAll(data);
    model.dispose();
  });

  it('applies the label mask: the SVD sees fewer rows with useLabelMask', async () => {
    const model = tinyGpt2();
    const data = batches(2);
    const rows = async (useLabelMask: boolean) => {
      const seen: number[] = [];
      await computeEvaState(
        model,
        data,
        { r: 2, targetModules: ['c_fc'], useLabelMask, maxSteps: 1, onMaxSteps: 'use-partial' },
        {
          onProgress: (p) => seen.push(p.rowsPerLayer['transformer.h.0.mlp.c_fc'] ?? -1),
        },
      );
      return seen[0];
    };
    const mask = Array.from(data[0]!.attentionMask!.dataSync()).reduce((s, v) => s + v, 0);
    const labelled = Array.from(data[0]!.labels!.dataSync()).filter((v) => v !== -100).length;
    expect(await rows(false)).toBe(mask);
    expect(await rows(true)).toBe(labelled);
    expect(labelled).toBeLessThan(mask);
    disposeAll(data);
    model.dispose();
  });

  it('leaves no tensors behind, and B = 0 keeps the outputs of the base model', async () => {
    const model = tinyGpt2();
    const data = batches(3);
    const before = tf.memory().numTensors;
    const state = await computeEvaState(model, data, {
      r: 2,
      targetModules: TARGETS,
      maxSteps: 5,
      onMaxSteps: 'use-partial',
    });
    expect(tf.memory().numTensors).toBe(before);
    const base = model.call(data[0]!);
    const handle = applyEva(model, state, { alpha: 4 });
    const adapted = model.call(data[0]!);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(base, adapted))).dataSync()[0])).toBeLessThanOrEqual(1e-6);
    handle.remove();
    tf.dispose([base, adapted]);
    expect(tf.memory().numTensors).toBe(before);
    disposeAll(data);
    model.dispose();
  });
});

describe('applyEva', () => {
  it('keeps each layer scaling at alpha / r (plain) and alpha / sqrt(r) (rsLoRA) when ranks change', async () => {
    const model = tinyGpt2();
    const data = batches(4);
    const state = await computeEvaState(model, data, {
      r: 4,
      rho: 2,
      tau: 0.5,
      targetModules: TARGETS,
      maxSteps: 20,
      onMaxSteps: 'use-partial',
    });
    expect(new Set(state.layers.map((l) => l.rank)).size).toBeGreaterThan(1); // ranks did move
    for (const useRslora of [false, true]) {
      const handle = applyEva(model, state, { alpha: 8, useRslora });
      for (const [path, layer] of handle.layers) {
        const expected = useRslora ? 8 / Math.sqrt(4) : 8 / 4;
        expect(layer.adapter('default').scaling, path).toBeCloseTo(expected, 10);
      }
      handle.remove();
    }
    disposeAll(data);
    model.dispose();
  });

  it('whitens once per layer with no aliasing inside an identical-input group', async () => {
    const model = new GroupedToy();
    const data = batches(4, 4, 32, 5);
    const state = await computeEvaState(model, data, {
      r: 2,
      rho: 2,
      whiten: true,
      tau: 0.5,
      targetModules: ['q_proj', 'k_proj', 'v_proj', 'up'],
      maxSteps: 10,
      onMaxSteps: 'use-partial',
    });
    const q = state.layers.find((l) => l.name === 'q_proj')!;
    expect(q.group).toBe('q_proj');
    expect(state.layers.find((l) => l.name === 'v_proj')!.group).toBe('q_proj');
    const handle = applyEva(model, state, { alpha: 2 });
    const ranks = Object.fromEntries(state.layers.map((l) => [l.name, l.rank]));
    for (const name of ['q_proj', 'k_proj', 'v_proj']) {
      const layer = handle.layers.get(name);
      if (ranks[name] === 0) {
        expect(layer).toBeUndefined();
        continue;
      }
      const a = layer!.adapter('default').loraA.value.dataSync();
      // Row j must be component j / sqrt(S_j): divided exactly once even though q, k, v share one SVD.
      for (let j = 0; j < ranks[name]!; j++) {
        for (let c = 0; c < 16; c++)
          expect(a[j * 16 + c]).toBeCloseTo(q.componentsData[j * 16 + c]! / Math.sqrt(q.singularValues[j]!), 5);
      }
    }
    expect(initialA(q, true)).not.toBe(initialA(q, true));
    handle.remove();
    disposeAll(data);
    model.dispose();
  });

  it('gives a rank-0 layer no adapter', async () => {
    const model = new GroupedToy();
    const data = batches(3, 4, 32, 6);
    const starveUp: RankAllocator = {
      allocate: (layers, budget) =>
        Object.fromEntries(
          layers.map((l) => [
            l.name,
            l.name === 'up' ? 0 : Math.min(l.maxRank, Math.floor(budget / (layers.length - 1))),
          ]),
        ),
    };
    const state = await computeEvaState(
      model,
      data,
      { r: 2, tau: 0.5, targetModules: ['o_proj', 'up', 'down'], maxSteps: 10, onMaxSteps: 'use-partial' },
      { allocator: starveUp },
    );
    expect(state.layers.find((l) => l.name === 'up')!.rank).toBe(0);
    const handle = applyEva(model, state);
    expect(model.getSubmodule('up')).toBeInstanceOf(Linear);
    expect(model.getSubmodule('down')).toBeInstanceOf(LoraLinear);
    handle.remove();
    disposeAll(data);
    model.dispose();
  });

  it('a saved and reloaded state gives identical adapters', async () => {
    const model = tinyGpt2();
    const data = batches(3);
    for (const whiten of [false, true]) {
      const state = await computeEvaState(model, data, {
        r: 2,
        whiten,
        targetModules: TARGETS,
        maxSteps: 4,
        onMaxSteps: 'use-partial',
      });
      const reloaded = decodeEvaState(encodeEvaState(state));
      expect(reloaded.layers.map((l) => [l.name, l.rank])).toEqual(state.layers.map((l) => [l.name, l.rank]));
      const a = applyEva(model, state);
      const weightsA = [...a.layers].map(([p, l]) => [p, Array.from(l.adapter('default').loraA.value.dataSync())]);
      a.remove();
      const b = applyEva(model, reloaded);
      const weightsB = [...b.layers].map(([p, l]) => [p, Array.from(l.adapter('default').loraA.value.dataSync())]);
      b.remove();
      expect(weightsB).toEqual(weightsA);
    }
    disposeAll(data);
    model.dispose();
  });
});

describe('initializeEva', () => {
  it('computes and applies in one call, giving the adapters applyEva gives for the same state', async () => {
    const model = tinyGpt2();
    const data = batches(3);
    const { state, handle } = await initializeEva(
      model,
      data,
      { r: 2, targetModules: ['c_fc'], maxSteps: 3, onMaxSteps: 'use-partial' },
      { alpha: 4 },
    );
    const first = [...handle.layers].map(([p, l]) => [p, Array.from(l.adapter('default').loraA.value.dataSync())]);
    handle.remove();
    const again = applyEva(model, state, { alpha: 4 });
    expect([...again.layers].map(([p, l]) => [p, Array.from(l.adapter('default').loraA.value.dataSync())])).toEqual(
      first,
    );
    expect(again.config.evaConfig).toMatchObject({ rho: 2, tau: 0.99 });
    again.remove();
    disposeAll(data);
    model.dispose();
  });
});

describe('narrow layers', () => {
  it('never allots a layer more than min(in, out), so a small classifier head still gets an adapter', async () => {
    const model = new MlpClassifier(mlpConfig({ inputSize: 16, hiddenSizes: [12], numLabels: 3 }), { seed: 2 });
    const rng = new Rng(8);
    const data: FeatureBatch[] = Array.from({ length: 6 }, () => ({
      inputs: tf.tensor2d(rng.normalArray(40 * 16), [40, 16]),
    }));
    const state = await computeEvaState(model, data, {
      r: 4,
      rho: 2,
      tau: 0.9,
      maxSteps: 30,
      onMaxSteps: 'use-partial',
    });
    const head = state.layers.find((l) => l.name === 'layers.1')!;
    expect(head.components).toBeLessThanOrEqual(3);
    expect(head.rank).toBeLessThanOrEqual(3);
    const handle = applyEva(model, state);
    expect(handle.layers.get('layers.1')?.adapter('default').loraA.shape[0]).toBe(head.rank);
    handle.remove();
    tf.dispose(data.map((b) => b.inputs));
    model.dispose();
  });
});

describe('bad input', () => {
  it('explains empty data, starved layers, tau = 1, and unknown targets', async () => {
    const model = tinyGpt2();
    await expect(computeEvaState(model, [], { targetModules: TARGETS })).rejects.toThrow(/no data/);
    const tiny = batches(2, 1, 4);
    await expect(computeEvaState(model, tiny, { r: 8, targetModules: TARGETS })).rejects.toThrow(
      /never received enough rows.*needs at least 16 rows/,
    );
    const data = batches(2);
    await expect(computeEvaState(model, data, { r: 2, tau: 1, targetModules: ['c_fc'], maxSteps: 6 })).rejects.toThrow(
      /did not converge within maxSteps = 6.*transformer\.h\.0\.mlp\.c_fc/,
    );
    await expect(computeEvaState(model, data, { targetModules: ['c_atn'] })).rejects.toThrow(/c_atn/);
    await expect(computeEvaState(model, data, { rho: 0.5 })).rejects.toThrow(/EvaConfig\.rho/);
    disposeAll(tiny);
    disposeAll(data);
    model.dispose();
  });
});
