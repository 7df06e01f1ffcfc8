import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, Module, Rng, disposeBatch, setBackend, type TokenBatch } from '@peftjs/core';
import { captureLayerInputs } from './capture-layer-inputs';
import { gatherKeptRows } from './gather-kept-rows';
import { TinyTransformer, paddedBatch } from './tiny-transformer.test-support';

beforeAll(async () => {
  await setBackend('wasm');
});

const LENGTHS = [6, 3, 8, 1];
const T = 8;
const PROMPT = 2;

/** Records, for every captured call, the rows as plain arrays (and shapes). */
function recorder() {
  const seen = new Map<string, number[][][]>();
  return {
    seen,
    onRows: (layer: string, rows: tf.Tensor2D) => {
      const list = seen.get(layer) ?? [];
      list.push(rows.arraySync());
      seen.set(layer, list);
    },
  };
}

/** Clones of every target layer's actual input during one forward (the reference). */
function referenceInputs(model: Module, names: readonly string[], run: () => void): Map<string, number[][]> {
  const got = new Map<string, tf.Tensor>();
  const handles = names.map((n) =>
    model
      .getSubmodule(n)
      .registerForwardHook((_m, inputs) => void got.set(n, tf.keep(tf.clone(inputs[0] as tf.Tensor)))),
  );
  run();
  for (const h of handles) h.remove();
  const out = new Map<string, number[][]>();
  for (const [n, x] of got) {
    const d = x.shape[x.rank - 1] as number;
    out.set(
      n,
      tf.tidy(() => tf.reshape(x, [-1, d]).arraySync() as number[][]),
    );
    x.dispose();
  }
  return out;
}

describe('captureLayerInputs on a token model', () => {
  it('hands each layer exactly its input rows at the kept positions, per mask setting', () => {
    const model = new TinyTransformer({ layers: 1 });
    const batch = paddedBatch(new Rng(1), model.vocab, LENGTHS, T, PROMPT);
    const targets = ['q_proj', 'o_proj', 'fc', 'proj'];
    const counts: Record<string, number> = {};
    for (const useLabelMask of [true, false]) {
      const keptIdx = batch.js.mask.flatMap((m, i) =>
        m === 1 && (!useLabelMask || batch.js.labels[i] !== -100) ? [i] : [],
      );
      const rec = recorder();
      const capture = captureLayerInputs(model, { targets, useLabelMask, onRows: rec.onRows });
      expect(capture.layers.map((l) => [l.name, l.inFeatures])).toEqual([
        ['h.0.attn.q_proj', 8],
        ['h.0.attn.o_proj', 8],
        ['h.0.mlp.fc', 8],
        ['h.0.mlp.proj', 16],
      ]);
      const names = capture.layers.map((l) => l.name);
      let result: ReturnType<typeof capture.step> | undefined;
      const reference = referenceInputs(model, names, () => {
        result = capture.step(batch, () => model.call(batch.inputIds));
      });
      capture.remove();
      expect(result?.kept).toBe(keptIdx.length);
      expect(result?.positions).toBe(LENGTHS.length * T);
      expect(result?.rowsPerLayer).toEqual(Object.fromEntries(names.map((n) => [n, keptIdx.length])));
      for (const name of names) {
        const calls = rec.seen.get(name) ?? [];
        expect(calls).toHaveLength(1);
        const full = reference.get(name) as number[][];
        expect(calls[0]).toEqual(keptIdx.map((i) => full[i])); // exact: the same float32 data
      }
      counts[String(useLabelMask)] = keptIdx.length;
    }
    // 6+3+8+1 attended tokens; minus 2 prompt tokens per sequence (1 for the length-1 one) with the label mask
    expect(counts).toEqual({ true: 18 - 7, false: 18 });
    disposeBatch(batch);
    model.dispose();
  });

  it('finds q/k/v as one group by identity and feeds only the representative', () => {
    const model = new TinyTransformer({ layers: 2 });
    const batch = paddedBatch(new Rng(2), model.vocab, LENGTHS, T, PROMPT);
    const rec = recorder();
    const capture = captureLayerInputs(model, { onRows: rec.onRows });
    expect(capture.groups).toEqual([]);
    const r = capture.step(batch, () => model.call(batch.inputIds));
    const qkv = (i: number) => ['q_proj', 'k_proj', 'v_proj'].map((p) => `h.${i}.attn.${p}`);
    expect(capture.groups).toEqual([
      { representative: 'h.0.attn.q_proj', members: qkv(0) },
      { representative: 'h.1.attn.q_proj', members: qkv(1) },
    ]);
    expect(capture.representativeOf('h.1.attn.v_proj')).toBe('h.1.attn.q_proj');
    expect(capture.representativeOf('h.1.mlp.fc')).toBe('h.1.mlp.fc');
    const fed = [
      'h.0.attn.q_proj',
      'h.0.attn.o_proj',
      'h.0.mlp.fc',
      'h.0.mlp.proj',
      'h.1.attn.q_proj',
      'h.1.attn.o_proj',
      'h.1.mlp.fc',
      'h.1.mlp.proj',
      'lm_head',
    ];
    expect(Object.keys(r.rowsPerLayer)).toEqual(fed);
    expect([...rec.seen.keys()]).toEqual(fed); // module order
    capture.step(batch, () => model.call(batch.inputIds));
    expect(rec.seen.get('h.0.attn.q_proj')).toHaveLength(2);
    expect(rec.seen.has('h.0.attn.k_proj')).toBe(false);
    capture.remove();
    disposeBatch(batch);
    model.dispose();
  });

  it('groups equal inputs held in different tensor objects by fingerprint, unless grouping is off', () => {
    const model = new TinyTransformer({ layers: 1, recomputeNorm: true });
    const batch = paddedBatch(new Rng(4), model.vocab, LENGTHS, T, PROMPT);
    const capture = captureLayerInputs(model, { targets: ['q_proj', 'k_proj', 'v_proj', 'fc'], onRows: () => {} });
    capture.step(batch, () => model.call(batch.inputIds));
    expect(capture.groups).toEqual([
      { representative: 'h.0.attn.q_proj', members: ['h.0.attn.q_proj', 'h.0.attn.k_proj', 'h.0.attn.v_proj'] },
    ]);
    capture.remove();
    const separate = captureLayerInputs(model, {
      targets: ['q_proj', 'k_proj'],
      groupIdenticalInputs: false,
      onRows: () => {},
    });
    const r = separate.step(batch, () => model.call(batch.inputIds));
    expect(separate.groups).toEqual([]);
    expect(Object.keys(r.rowsPerLayer)).toEqual(['h.0.attn.q_proj', 'h.0.attn.k_proj']);
    separate.remove();
    // different preparation functions never share statistics
    const firstRow: typeof gatherKeptRows = (x, ctx) => tf.slice(gatherKeptRows(x, ctx), [0, 0], [1, -1]);
    const mixed = captureLayerInputs(model, {
      targets: ['q_proj', 'k_proj', 'v_proj'],
      prepareLayerInputs: { 'h.0.attn.v_proj': firstRow },
      onRows: () => {},
    });
    const m = mixed.step(batch, () => model.call(batch.inputIds));
    expect(mixed.groups).toEqual([
      { representative: 'h.0.attn.q_proj', members: ['h.0.attn.q_proj', 'h.0.attn.k_proj'] },
    ]);
    expect(m.rowsPerLayer).toEqual({ 'h.0.attn.q_proj': m.kept, 'h.0.attn.v_proj': 1 });
    mixed.remove();
    disposeBatch(batch);
    model.dispose();
  });

  it('detached layers receive nothing and gather nothing; reattached ones resume', () => {
    const model = new TinyTransformer({ layers: 1 });
    const batch = paddedBatch(new Rng(5), model.vocab, LENGTHS, T, PROMPT);
    const prepared: string[] = [];
    const counting: typeof gatherKeptRows = (x, ctx) => {
      prepared.push(ctx.layer);
      return gatherKeptRows(x, ctx);
    };
    const rec = recorder();
    const capture = captureLayerInputs(model, {
      targets: ['q_proj', 'k_proj', 'fc', 'proj'],
      prepareLayerInputs: counting,
      onRows: rec.onRows,
    });
    const run = () => capture.step(batch, () => model.call(batch.inputIds));
    capture.detach('h.0.mlp.fc');
    expect(capture.isAttached('h.0.mlp.fc')).toBe(false);
    run();
    expect(prepared).not.toContain('h.0.mlp.fc');
    expect(rec.seen.has('h.0.mlp.fc')).toBe(false);
    prepared.length = 0;
    capture.detach('h.0.attn.q_proj'); // the q/k group's representative: the group stops
    const r2 = run();
    expect(prepared).toEqual(['h.0.mlp.proj']); // detached layers' hooks are gone: no gather at all
    expect(Object.keys(r2.rowsPerLayer)).toEqual(['h.0.mlp.proj']);
    capture.attach('h.0.mlp.fc');
    capture.attach('h.0.attn.q_proj');
    const r3 = run();
    expect(Object.keys(r3.rowsPerLayer)).toEqual(['h.0.attn.q_proj', 'h.0.mlp.fc', 'h.0.mlp.proj']);
    expect(rec.seen.get('h.0.mlp.fc')).toHaveLength(1);
    expect(rec.seen.get('h.0.attn.q_proj')).toHaveLength(2);
    expect(rec.seen.get('h.0.mlp.proj')).toHaveLength(3);
    expect(() => capture.detach('h.0.mlp.fcc')).toThrowError(
      'No captured layer "h.0.mlp.fcc"; captured layers: h.0.attn.q_proj, h.0.attn.k_proj, h.0.mlp.fc, h.0.mlp.proj',
    );
    capture.remove();
    disposeBatch(batch);
    model.dispose();
  });

  it('runs sinks outside any tidy (a sink may keep a clone) and a custom preparation sees the context', () => {
    const model = new TinyTransformer({ layers: 1 });
    const batch = paddedBatch(new Rng(6), model.vocab, LENGTHS, T, PROMPT);
    const kept: tf.Tensor[] = [];
    // only the last position of every sequence: [B, T, d] -> [B, d]
    const lastToken = (x: tf.Tensor): tf.Tensor2D =>
      tf.squeeze(tf.slice(x, [0, T - 1, 0], [-1, 1, -1]), [1]) as tf.Tensor2D;
    const capture = captureLayerInputs(model, {
      targets: ['fc'],
      prepareLayerInputs: { 'h.0.mlp.fc': lastToken },
      onRows: (_l, rows) => void kept.push(tf.clone(rows)),
    });
    const r = capture.step(batch, () => model.call(batch.inputIds));
    expect(r.rowsPerLayer).toEqual({ 'h.0.mlp.fc': LENGTHS.length });
    expect(kept[0]?.shape).toEqual([LENGTHS.length, model.dim]);
    expect(kept[0]?.isDisposed).toBe(false);
    tf.dispose(kept);
    capture.remove();
    disposeBatch(batch);
    model.dispose();
  });

  it('calls no sink for a layer with no kept rows, and reports 0', () => {
    const model = new TinyTransformer({ layers: 1 });
    const inputIds = tf.tensor2d(
      [
        [1, 2],
        [3, 4],
      ],
      [2, 2],
      'int32',
    );
    const labels = tf.fill([2, 2], -100, 'int32') as tf.Tensor2D;
    const rec = recorder();
    const capture = captureLayerInputs(model, { targets: ['fc'], onRows: rec.onRows });
    expect(capture.step({ inputIds, labels }, () => model.call(inputIds))).toEqual({
      rowsPerLayer: { 'h.0.mlp.fc': 0 },
      kept: 0,
      positions: 4,
    });
    expect(rec.seen.size).toBe(0);
    expect(capture.step({ inputIds, labels }, () => model.call(inputIds)).rowsPerLayer).toEqual({ 'h.0.mlp.fc': 0 });
    const off = captureLayerInputs(model, { targets: ['fc'], useLabelMask: false, onRows: rec.onRows });
    expect(off.step({ inputIds, labels }, () => model.call(inputIds)).rowsPerLayer).toEqual({ 'h.0.mlp.fc': 4 });
    tf.dispose([inputIds, labels]);
    capture.remove();
    off.remove();
    model.dispose();
  });

  it('leaks no tensor across 100 batches (forward output, rows, masks and fingerprints all freed)', () => {
    const model = new TinyTransformer({ layers: 1, dim: 4, recomputeNorm: true });
    const rng = new Rng(9);
    const capture = captureLayerInputs(model, { onRows: () => {} });
    const before = tf.memory().numTensors;
    let rows = 0;
    for (let i = 0; i < 100; i++) {
      const batch = paddedBatch(rng, model.vocab, [1 + rng.int(4), 4], 4, 1);
      rows += capture.step(batch, () => model.call(batch.inputIds)).rowsPerLayer['h.0.mlp.fc'] ?? 0;
      disposeBatch(batch);
      if (i === 49) capture.detach('lm_head');
    }
    expect(rows).toBeGreaterThan(100);
    expect(tf.memory().numTensors).toBe(before);
    capture.remove();
    model.dispose();
  });
});

class Mlp extends Module {
  constructor() {
    super();
    const rng = new Rng(3);
    this.registerModule('fc1', new Linear(5, 6, { rng }));
    this.registerModule('fc2', new Linear(6, 2, { rng }));
  }
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.child('fc2').call(tf.relu(this.child('fc1').call(x))));
  }
}

describe('captureLayerInputs on a feature model', () => {
  it('feeds every row of a FeatureBatch, exactly the layer inputs, without disposing the batch', () => {
    const model = new Mlp();
    const inputs = tf.tensor2d(new Rng(8).normalArray(7 * 5, 0, 1), [7, 5]);
    const rec = recorder();
    const capture = captureLayerInputs(model, { onRows: rec.onRows });
    const before = tf.memory().numTensors;
    let r: ReturnType<typeof capture.step> | undefined;
    const reference = referenceInputs(model, ['fc1', 'fc2'], () => {
      r = capture.step({ inputs }, () => model.call(inputs));
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(r).toEqual({ rowsPerLayer: { fc1: 7, fc2: 7 }, kept: 7, positions: 7 });
    expect(rec.seen.get('fc1')?.[0]).toEqual(inputs.arraySync());
    expect(rec.seen.get('fc2')?.[0]).toEqual(reference.get('fc2'));
    expect(inputs.isDisposed).toBe(false);
    capture.remove();
    inputs.dispose();
    model.dispose();
  });
});

export type { TokenBatch };
