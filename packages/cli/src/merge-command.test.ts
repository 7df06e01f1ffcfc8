import { readFileSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, Rng, setBackend } from '@peftjs/core';
import { injectAdapters } from '@peftjs/lora';
import { loadAdapter, saveAdapter } from '@peftjs/lora/node';
import { CausalLanguageModel } from '@peftjs/models';
import { loadPretrained, savePretrained } from '@peftjs/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli';
import { tinyGpt2 } from '@peftjs/test-utils/models';

const FIXTURES = new URL('../test/fixtures/hf', import.meta.url).pathname;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    streams: { stdout: { write: (t: string) => out.push(t) }, stderr: { write: (t: string) => err.push(t) } },
    out,
    err,
  };
}

/** The safetensors header of a file: name -> dtype and shape. */
function header(path: string): Record<string, string> {
  const { tensors } = decodeSafetensors(readFileSync(path));
  return Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, `${t.dtype} [${t.shape.join(', ')}]`]));
}

function logits(
  model: CausalLanguageModel,
  ids: tf.Tensor2D,
  mask: tf.Tensor2D,
  positions?: tf.Tensor2D,
): Float32Array {
  return tf.tidy(
    () =>
      model
        .call({ inputIds: ids, attentionMask: mask, ...(positions ? { positionIds: positions } : {}) })
        .dataSync() as Float32Array,
  );
}

function maxAbsDiffAtKept(a: Float32Array, b: Float32Array, mask: ArrayLike<number>, vocab: number): number {
  let worst = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    for (let v = 0; v < vocab; v++)
      worst = Math.max(worst, Math.abs((a[i * vocab + v] as number) - (b[i * vocab + v] as number)));
  }
  return worst;
}

let dir = '';
beforeAll(async () => {
  await setBackend('wasm');
  dir = await mkdtemp(join(tmpdir(), 'peftjs-merge-'));
});

describe('peftjs merge', () => {
  it.each([
    ['gpt2', 'adapter-gpt2'],
    ['llama3', 'adapter-llama3'],
  ])(
    "merges PEFT's %s adapter into a checkpoint with the base's layout that gives PEFT's base + adapter logits within 1e-4",
    async (base, adapter) => {
      const out = join(dir, `merged-${base}`);
      const { streams, err } = io();
      expect(
        await runCli(
          ['merge', '--model', join(FIXTURES, base), '--adapter', join(FIXTURES, adapter), '--out', out],
          streams,
        ),
        err.join(''),
      ).toBe(0);
      // Same tensor names, dtypes and shapes as the base file (GPT-2: Conv1D [in, out], no separate lm_head),
      // so transformers loads it as it loads the base; config.json and generation_config.json copied byte for byte.
      expect(header(join(out, 'model.safetensors'))).toEqual(header(join(FIXTURES, base, 'model.safetensors')));
      for (const file of ['config.json', 'generation_config.json'])
        expect(await readFile(join(out, file), 'utf8')).toBe(await readFile(join(FIXTURES, base, file), 'utf8'));
      // PEFT's logits of base + adapter (transformers' positions 0..T-1 on every row), at kept positions.
      const { tensors } = decodeSafetensors(readFileSync(join(FIXTURES, adapter, 'reference.safetensors')));
      const [b, t] = tensors['input_ids']!.shape as [number, number];
      const ids = tf.tensor2d(tensors['input_ids']!.data as Int32Array, [b, t], 'int32');
      const mask = tf.tensor2d(tensors['attention_mask']!.data as Int32Array, [b, t], 'int32');
      const positions = tf.tensor2d(
        Int32Array.from({ length: b * t }, (_, i) => i % t),
        [b, t],
        'int32',
      );
      const merged = await loadPretrained(out, { as: CausalLanguageModel });
      const ours = logits(merged, ids, mask, positions);
      expect(
        maxAbsDiffAtKept(
          ours,
          tensors['logits']!.data as Float32Array,
          tensors['attention_mask']!.data as Int32Array,
          320,
        ),
      ).toBeLessThanOrEqual(1e-4);
      merged.dispose();
      tf.dispose([ids, mask, positions]);
    },
  );

  it('keeps a float16 base in float16, and the merged model computes what base + adapter computes', async () => {
    const baseDir = join(dir, 'gpt2-f16');
    const model = tinyGpt2(4);
    await savePretrained(model, baseDir, { dtype: 'F16' });
    model.dispose();
    const base = await loadPretrained(baseDir, { as: CausalLanguageModel });
    const handle = injectAdapters(base, {
      r: 4,
      alpha: 8,
      targetModules: ['c_attn', 'c_fc'],
      init: 'gaussian',
      seed: 2,
    });
    const rng = new Rng(5);
    for (const layer of handle.layers.values()) {
      const bWeight = layer.adapter('default').loraB;
      bWeight.assign(tf.tensor(rng.normalArray(bWeight.size, 0, 0.2), bWeight.shape));
    }
    const adapterDir = join(dir, 'adapter-f16');
    await saveAdapter(handle, adapterDir);
    base.dispose();
    const out = join(dir, 'merged-f16');
    const { streams, out: printed } = io();
    expect(await runCli(['merge', '--model', baseDir, '--adapter', adapterDir, '--out', out], streams)).toBe(0);
    expect(printed.join('')).toMatch(/Merged 4 adapted layer\(s\).*model\.safetensors \(F16\) and config\.json/);
    expect(new Set(Object.values(header(join(out, 'model.safetensors'))).map((h) => h.split(' ')[0]))).toEqual(
      new Set(['F16']),
    );
    const withAdapter = await loadPretrained(baseDir, { as: CausalLanguageModel });
    await loadAdapter(withAdapter, adapterDir);
    const merged = await loadPretrained(out, { as: CausalLanguageModel });
    const ids = tf.tensor2d([[1, 50, 200, 7, 9, 3]], [1, 6], 'int32');
    const mask = tf.ones([1, 6], 'int32') as tf.Tensor2D;
    // Float16 storage of the merged weights (relative rounding 2^-11) moves these logits by a few 1e-4.
    expect(
      maxAbsDiffAtKept(logits(merged, ids, mask), logits(withAdapter, ids, mask), [1, 1, 1, 1, 1, 1], 256),
    ).toBeLessThanOrEqual(5e-3);
    tf.dispose([ids, mask]);
    merged.dispose();
    withAdapter.dispose();
  });

  it('refuses to overwrite the base, and names a bad adapter', async () => {
    const cases: [string[], RegExp][] = [
      [
        [
          'merge',
          '--model',
          join(FIXTURES, 'gpt2'),
          '--adapter',
          join(FIXTURES, 'adapter-gpt2'),
          '--out',
          join(FIXTURES, 'gpt2'),
        ],
        /is the base checkpoint's folder; write the merged checkpoint to a new folder/,
      ],
      [
        ['merge', '--model', join(FIXTURES, 'gpt2'), '--adapter', join(dir, 'nowhere'), '--out', join(dir, 'x')],
        /--adapter .*nowhere/,
      ],
      [['merge', '--model', join(FIXTURES, 'gpt2'), '--out', join(dir, 'x')], /--adapter is required/],
    ];
    for (const [argv, message] of cases) {
      const { streams, err } = io();
      expect(await runCli(argv, streams)).toBeGreaterThan(0);
      expect(err.join('')).toMatch(message);
    }
  });
});
