import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Linear, Module, decodeSafetensors, setBackend } from '@peftjs/core';
import { exportAdapter, importAdapter } from './adapter-io';
import { loadAdapter, saveAdapter } from './adapter-dir';
import { injectAdapters } from './inject-adapters';
import { LoraLinear } from './lora-linear';
import { TinyModel } from './testing/tiny-model';
import { maxAbsDiff, outputOf, parameterValues, randomInput, setTo } from './testing/helpers';

const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'peft-adapter');
const scratch = mkdtempSync(join(tmpdir(), 'peftjs-lora-'));

beforeAll(async () => {
  await setBackend('wasm');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The Python fixture's model: h = x + down(relu(up(x))); y = head(h). */
class FixtureModel extends Module {
  constructor() {
    super();
    const encoder = new (class extends Module {
      forward(): tf.Tensor {
        throw new Error('container');
      }
    })();
    encoder.registerModule('up', new Linear(6, 10));
    encoder.registerModule('down', new Linear(10, 6, { bias: false }));
    this.registerModule('encoder', encoder);
    this.registerModule('head', new Linear(6, 4));
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(FIXTURES, 'base_model.safetensors'))));
    for (const [name, p] of this.namedParameters()) {
      const entry = tensors[name]!;
      const t = tf.tensor(entry.data as Float32Array, entry.shape);
      p.assign(t);
      t.dispose();
    }
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const up = this.getSubmodule('encoder.up');
      const down = this.getSubmodule('encoder.down');
      const h = tf.add(x, down.call(tf.relu(up.call(x))) as tf.Tensor);
      return this.child('head').call(h);
    });
  }
}

const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Record<
  'input' | 'base' | 'lora' | 'dora',
  number[][]
>;

function readSaved(dir: string): {
  tensors: Record<string, { shape: number[]; data: Float32Array }>;
  config: Record<string, unknown>;
} {
  const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(join(dir, 'adapter_model.safetensors'))));
  return { tensors: tensors as never, config: JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8')) };
}

describe('PEFT adapter files', () => {
  it.each(['lora', 'dora'] as const)(
    'loads the hand-made PEFT %s fixture and reproduces the torch reference output',
    async (kind) => {
      const model = new FixtureModel().eval();
      const x = tf.tensor2d(reference.input);
      expect(maxAbsDiff(outputOf(model, x), reference.base.flat())).toBeLessThan(1e-5);
      const before = tf.memory().numTensors;
      const handle = await loadAdapter(model, join(FIXTURES, kind));
      model.eval();
      expect(maxAbsDiff(outputOf(model, x), reference[kind].flat())).toBeLessThan(1e-5);
      if (kind === 'lora') {
        expect(handle.ranks).toEqual({ 'encoder.up': 4, 'encoder.down': 4, head: 2 });
        expect(handle.layers.get('encoder.down')!.adapter('default').scaling).toBe(3 / 4);
      }
      // saving it again gives PEFT's keys, the same tensors and the same config fields
      const out = join(scratch, `resaved-${kind}`);
      await saveAdapter(handle, out);
      const original = readSaved(join(FIXTURES, kind));
      const resaved = readSaved(out);
      expect(Object.keys(resaved.tensors).sort()).toEqual(Object.keys(original.tensors).sort());
      for (const [key, t] of Object.entries(original.tensors)) {
        expect(resaved.tensors[key]!.shape).toEqual(t.shape);
        expect(maxAbsDiff(resaved.tensors[key]!.data, t.data)).toBe(0);
      }
      expect(resaved.config).toEqual(original.config);
      handle.remove();
      expect(tf.memory().numTensors).toBe(before);
      x.dispose();
    },
  );

  it('saves exactly PEFT key names and config fields, and round-trips exactly', async () => {
    const model = new TinyModel();
    const handle = injectAdapters(model, {
      r: 2,
      alpha: 4,
      targetModules: ['q_proj', 'fc'],
      rankPattern: { fc: 3 },
      alphaPattern: { 'blocks.1.mlp.fc': 6 },
      dropout: 0.1,
      seed: 2,
    });
    for (const [name, p] of handle.adapterParameters())
      if (name.includes('lora_B')) setTo(p, () => tf.randomNormal(p.shape, 0, 0.3, 'float32', 4));
    const dir = join(scratch, 'roundtrip');
    const before = tf.memory().numTensors;
    await saveAdapter(handle, dir);
    expect(tf.memory().numTensors).toBe(before);
    const saved = readSaved(dir);
    expect(Object.keys(saved.tensors).sort()).toEqual(
      ['blocks.0.attn.q_proj', 'blocks.0.mlp.fc', 'blocks.1.attn.q_proj', 'blocks.1.mlp.fc']
        .flatMap((p) => [`base_model.model.${p}.lora_A.weight`, `base_model.model.${p}.lora_B.weight`])
        .sort(),
    );
    expect(saved.tensors['base_model.model.blocks.0.mlp.fc.lora_A.weight']!.shape).toEqual([3, 8]);
    expect(saved.config).toEqual({
      peft_type: 'LORA',
      task_type: null,
      base_model_name_or_path: null,
      r: 2,
      lora_alpha: 4,
      lora_dropout: 0.1,
      target_modules: ['q_proj', 'fc'],
      rank_pattern: { fc: 3 },
      alpha_pattern: { 'blocks.1.mlp.fc': 6 },
      use_rslora: false,
      use_dora: false,
      init_lora_weights: true,
      eva_config: null,
      bias: 'none',
      fan_in_fan_out: false,
      modules_to_save: null,
      inference_mode: true,
      layers_to_transform: null,
      layers_pattern: null,
      revision: null,
      auto_mapping: null,
    });

    const x = randomInput([3, 8]);
    model.eval();
    const want = outputOf(model, x);
    const fresh = new TinyModel().eval();
    const loaded = await loadAdapter(fresh, dir);
    fresh.eval();
    expect(maxAbsDiff(outputOf(fresh, x), want)).toBe(0);
    const a = parameterValues(model);
    for (const [name, v] of parameterValues(fresh)) expect(maxAbsDiff(v, a.get(name)!), name).toBe(0);
    loaded.remove();
    handle.remove();
    x.dispose();
  });

  it('a rank-0 layer round-trips as no adapter (target_modules lists the adapted paths, as PEFT EVA)', async () => {
    const model = new TinyModel();
    const handle = injectAdapters(model, {
      r: 2,
      targetModules: ['q_proj', 'v_proj'],
      rankPattern: { 'blocks.1.attn.q_proj': 0, 'blocks.0.attn.v_proj': 4 },
      init: 'gaussian',
    });
    const exported = exportAdapter(handle);
    expect(exported.config.target_modules).toEqual([
      'blocks.0.attn.q_proj',
      'blocks.0.attn.v_proj',
      'blocks.1.attn.v_proj',
    ]);
    expect(exported.config.rank_pattern).toEqual({ 'blocks.0.attn.v_proj': 4 });
    expect(exported.config.init_lora_weights).toBe('gaussian');
    expect(Object.keys(exported.tensors).some((k) => k.includes('blocks.1.attn.q_proj'))).toBe(false);
    const fresh = new TinyModel();
    const loaded = importAdapter(fresh, exported);
    expect(fresh.getSubmodule('blocks.1.attn.q_proj')).toBeInstanceOf(Linear);
    expect(fresh.getSubmodule('blocks.0.attn.v_proj')).toBeInstanceOf(LoraLinear);
    expect(loaded.ranks).toEqual({ 'blocks.0.attn.q_proj': 2, 'blocks.0.attn.v_proj': 4, 'blocks.1.attn.v_proj': 2 });
    expect(exportAdapter(loaded).config).toEqual(exported.config);
    loaded.remove();
    handle.remove();
  });

  it('saves EVA adapters with init_lora_weights "eva", the eva_config and DoRA magnitudes under PEFT key names', () => {
    const model = new TinyModel();
    const rows = (n: number): number[][] =>
      Array.from({ length: n }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 1 : 0)));
    const components = { 'blocks.0.attn.q_proj': rows(3), 'blocks.1.attn.q_proj': rows(1) };
    const handle = injectAdapters(model, {
      r: 2,
      targetModules: ['q_proj'],
      rankPattern: { 'blocks.0.attn.q_proj': 3, 'blocks.1.attn.q_proj': 1 },
      alphaPattern: { 'blocks.0.attn.q_proj': 12, 'blocks.1.attn.q_proj': 4 },
      alpha: 8,
      useDora: true,
      init: { name: 'eva', options: { components } },
      evaConfig: { rho: 2, tau: 0.99 },
    });
    const exported = exportAdapter(handle);
    expect(exported.config).toMatchObject({
      init_lora_weights: 'eva',
      eva_config: { rho: 2, tau: 0.99 },
      use_dora: true,
      rank_pattern: { 'blocks.0.attn.q_proj': 3, 'blocks.1.attn.q_proj': 1 },
    });
    expect(exported.tensors['base_model.model.blocks.0.attn.q_proj.lora_magnitude_vector']!.shape).toEqual([8]);
    const fresh = new TinyModel();
    const loaded = importAdapter(fresh, exported);
    expect(exportAdapter(loaded).config).toEqual(exported.config);
    loaded.remove();
    handle.remove();
  });

  it('PiSSA adapters: saved as is they re-run PiSSA on load; converted, they are a plain rank-2r delta on the original weights', () => {
    const model = new TinyModel();
    const x = randomInput([3, 8]);
    const handle = injectAdapters(model, { r: 2, alpha: 4, targetModules: ['fc', 'head'], init: 'pissa' });
    for (const [name, p] of handle.adapterParameters())
      setTo(p, () => tf.add(p.value, tf.randomNormal(p.shape, 0, 0.05, 'float32', name.length)));
    const want = outputOf(model, x);

    const asIs = exportAdapter(handle);
    expect(asIs.config.init_lora_weights).toBe('pissa');
    const viaPissa = new TinyModel();
    const h1 = importAdapter(viaPissa, asIs);
    expect(maxAbsDiff(outputOf(viaPissa, x), want)).toBeLessThan(1e-5);
    h1.remove();

    const converted = exportAdapter(handle, { convertToPlainLora: true });
    expect(converted.config).toMatchObject({ r: 4, lora_alpha: 8, init_lora_weights: true });
    expect(converted.tensors['base_model.model.head.lora_A.weight']!.shape).toEqual([4, 8]);
    const plain = new TinyModel();
    const originalWeights = parameterValues(plain);
    const h2 = importAdapter(plain, converted);
    expect(maxAbsDiff(outputOf(plain, x), want)).toBeLessThan(1e-5);
    h2.remove();
    for (const [name, v] of parameterValues(plain)) expect(maxAbsDiff(v, originalWeights.get(name)!)).toBe(0);
    handle.remove();
    x.dispose();
  });

  it('rejects adapters that do not fit, naming the tensor and both shapes, and leaves the model unchanged', async () => {
    const dir = join(scratch, 'bad');
    cpSync(join(FIXTURES, 'lora'), dir, { recursive: true });
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ ...config, rank_pattern: {} }));
    const model = new FixtureModel();
    await expect(loadAdapter(model, dir)).rejects.toThrow(
      'Adapter tensor "base_model.model.head.lora_A.weight" has shape [2, 6] in the file but layer "head" needs [4, 6]',
    );
    expect([...model.namedModules()].some(([, m]) => m instanceof LoraLinear)).toBe(false);

    writeFileSync(
      join(dir, 'adapter_config.json'),
      JSON.stringify({ ...config, target_modules: ['up', 'down'], rank_pattern: {} }),
    );
    await expect(loadAdapter(model, dir)).rejects.toThrow(
      /Adapter tensors "base_model\.model\.head\.lora_A\.weight", "base_model\.model\.head\.lora_B\.weight" belong to no adapted layer/,
    );
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ ...config, peft_type: 'IA3' }));
    await expect(loadAdapter(model, dir)).rejects.toThrow('peft_type is "IA3", but only "LORA" adapters can be loaded');
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ ...config, init_lora_weights: 'loftq' }));
    await expect(loadAdapter(model, dir)).rejects.toThrow(
      /init_lora_weights "loftq" is not a registered initialiser's value/,
    );
    expect(model.trainableParameters()).toHaveLength([...model.namedParameters()].length);
  });
});
