import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSafetensors, setBackend, type TensorEntry } from '@peftjs/core';
import { SafetensorsFile, readSafetensorsFile } from '@peftjs/core/node';
import { fixtureDir, readReference } from './fixtures.test-support';
import { Gpt2LMHeadModel } from './gpt2-model';
import { gpt2Config } from './gpt2-config';
import { LlamaForCausalLM } from './llama-model';
import { loadPretrained, savePretrained } from './pretrained';
import { SUPPORTED_MODEL_TYPES } from './architectures';

let tmp: string;
beforeAll(async () => {
  await setBackend('wasm');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'peftjs-models-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A copy of a fixture directory whose config.json / tensors a test may change. */
async function variant(
  name: string,
  fixture: string,
  edit: { config?: (c: Record<string, unknown>) => void; tensors?: (t: Record<string, TensorEntry>) => void },
): Promise<string> {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  const config = JSON.parse(fs.readFileSync(path.join(fixtureDir(fixture), 'config.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  edit.config?.(config);
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  const { tensors } = await readSafetensorsFile(path.join(fixtureDir(fixture), 'model.safetensors'));
  edit.tensors?.(tensors);
  fs.writeFileSync(path.join(dir, 'model.safetensors'), encodeSafetensors(tensors));
  return dir;
}

function logitsOf(model: Gpt2LMHeadModel | LlamaForCausalLM, ids: tf.Tensor2D, mask: tf.Tensor2D): Float32Array {
  const out = model.call({ inputIds: ids, attentionMask: mask });
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

describe('loadPretrained', () => {
  it('uses Hugging Face module paths and parameter names; tied lm_head is listed once', async () => {
    const model = await loadPretrained(fixtureDir('gpt2-tiny'));
    const modules = [...model.namedModules()].map(([n]) => n);
    expect(modules).toContain('transformer.h.0.attn.c_attn');
    expect(modules).toContain('transformer.h.1.mlp.c_proj');
    expect(modules).toContain('lm_head');
    const params = [...model.namedParameters()].map(([n]) => n);
    expect(params).toContain('transformer.wte.weight');
    expect(params.filter((n) => n.includes('lm_head'))).toEqual([]);
    // Conv1D [in, out] on disk -> Linear [out, in] in memory.
    expect(model.getSubmodule('transformer.h.0.attn.c_attn').parameter('weight')?.shape).toEqual([96, 32]);
    expect(model.training).toBe(false);
    model.dispose();

    const llama = await loadPretrained(fixtureDir('llama-tiny'));
    expect([...llama.namedModules()].map(([n]) => n)).toEqual(
      expect.arrayContaining(['model.layers.1.self_attn.k_proj', 'model.layers.0.mlp.gate_proj', 'lm_head']),
    );
    expect(llama.getSubmodule('model.layers.0.self_attn.k_proj').parameter('weight')?.shape).toEqual([16, 32]); // 2 kv heads x 8
    llama.dispose();
  });

  it('{ as } checks and narrows the model class', async () => {
    const lm = await loadPretrained(fixtureDir('llama-tiny'), { as: LlamaForCausalLM });
    expect(lm.config.numKeyValueHeads).toBe(2);
    lm.dispose();
    await expect(loadPretrained(fixtureDir('llama-tiny'), { as: Gpt2LMHeadModel })).rejects.toThrow(
      /holds a LlamaForCausalLM, which is not a Gpt2LMHeadModel/,
    );
  });

  it('reads sharded checkpoints (model.safetensors.index.json)', async () => {
    const dir = path.join(tmp, 'sharded');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(fixtureDir('llama-tiny'), 'config.json'), path.join(dir, 'config.json'));
    const { tensors } = await readSafetensorsFile(path.join(fixtureDir('llama-tiny'), 'model.safetensors'));
    const names = Object.keys(tensors).sort();
    const shards = [names.slice(0, 10), names.slice(10)];
    const weightMap: Record<string, string> = {};
    shards.forEach((part, i) => {
      const file = `model-0000${i + 1}-of-00002.safetensors`;
      fs.writeFileSync(
        path.join(dir, file),
        encodeSafetensors(Object.fromEntries(part.map((n) => [n, tensors[n] as TensorEntry]))),
      );
      for (const n of part) weightMap[n] = file;
    });
    fs.writeFileSync(
      path.join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    const a = await loadPretrained(dir);
    const b = await loadPretrained(fixtureDir('llama-tiny'));
    const pa = [...a.namedParameters()];
    const pb = [...b.namedParameters()];
    expect(pa.map(([n]) => n)).toEqual(pb.map(([n]) => n));
    pa.forEach(([, p], i) => {
      expect(Array.from(p.value.dataSync())).toEqual(Array.from(pb[i]![1].value.dataSync()));
    });
    a.dispose();
    b.dispose();
  });
});

describe('savePretrained', () => {
  it('writes HF GPT-2 layout (transformer. prefix, Conv1D [in, out], no lm_head) and round-trips logits', async () => {
    const model = await loadPretrained(fixtureDir('gpt2-tiny'));
    if (!(model instanceof Gpt2LMHeadModel)) throw new Error('expected GPT-2');
    const dir = path.join(tmp, 'gpt2-saved');
    const before = tf.memory().numTensors;
    await savePretrained(model, dir);
    expect(tf.memory().numTensors).toBe(before);
    const file = await SafetensorsFile.open(path.join(dir, 'model.safetensors'));
    expect(file.keys()).toContain('transformer.h.0.attn.c_attn.weight');
    expect(file.keys().some((k) => k.startsWith('lm_head'))).toBe(false);
    expect(file.info('transformer.h.0.attn.c_attn.weight').shape).toEqual([32, 96]);
    expect(file.metadata).toEqual({ format: 'pt' });
    // The stored Conv1D weight equals the original file's [in, out] tensor exactly.
    const original = await readSafetensorsFile(path.join(fixtureDir('gpt2-tiny'), 'model.safetensors'));
    expect(Array.from((await file.read('transformer.h.1.mlp.c_fc.weight')).data as Float32Array)).toEqual(
      Array.from(original.tensors['h.1.mlp.c_fc.weight']!.data as Float32Array),
    );
    await file.close();
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({
      model_type: 'gpt2',
      architectures: ['GPT2LMHeadModel'],
      n_embd: 32,
      n_layer: 2,
      n_head: 4,
      vocab_size: 64,
    });
    const reloaded = await loadPretrained(dir);
    if (!(reloaded instanceof Gpt2LMHeadModel)) throw new Error('expected GPT-2');
    const ref = readReference('gpt2-tiny');
    expect(Array.from(logitsOf(reloaded, ref.inputIds, ref.attentionMask))).toEqual(
      Array.from(logitsOf(model, ref.inputIds, ref.attentionMask)),
    );
    tf.dispose([ref.inputIds, ref.attentionMask]);
    model.dispose();
    reloaded.dispose();
  });

  it('saves float16 at half the size, within float16 rounding of the weights', async () => {
    const model = new Gpt2LMHeadModel(gpt2Config({ vocabSize: 32, nEmbd: 16, nLayer: 1, nHead: 2, nPositions: 8 }), {
      seed: 3,
    });
    await savePretrained(model, path.join(tmp, 'f32'));
    await savePretrained(model, path.join(tmp, 'f16'), { dtype: 'F16' });
    const size = (d: string) => fs.statSync(path.join(tmp, d, 'model.safetensors')).size;
    expect(size('f16')).toBeLessThan(0.55 * size('f32'));
    const back = await loadPretrained(path.join(tmp, 'f16'));
    const a = model.getSubmodule('transformer.h.0.mlp.c_fc').parameter('weight')!.value.dataSync();
    const b = back.getSubmodule('transformer.h.0.mlp.c_fc').parameter('weight')!.value.dataSync();
    a.forEach((v, i) => {
      expect(Math.abs(v - (b[i] as number))).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 1e-7);
    });
    model.dispose();
    back.dispose();
  });

  it('refuses parameters that are not part of the architecture (unmerged adapters)', async () => {
    const model = new Gpt2LMHeadModel(gpt2Config({ vocabSize: 32, nEmbd: 16, nLayer: 1, nHead: 2, nPositions: 8 }));
    model
      .getSubmodule('transformer.h.0.attn')
      .registerModule('extra', new (class extends Gpt2LMHeadModel {})(model.config));
    await expect(savePretrained(model, path.join(tmp, 'bad'))).rejects.toThrow(
      /is not part of GPT2LMHeadModel.*merge or remove adapters/,
    );
    model.dispose();
  });
});

describe('bad checkpoints give errors that say what is wrong', () => {
  it('missing config.json', async () => {
    const dir = path.join(tmp, 'empty');
    fs.mkdirSync(dir);
    await expect(loadPretrained(dir)).rejects.toThrow(/No config.json in .*needs config.json and model.safetensors/);
  });

  it('config.json that is not JSON', async () => {
    const dir = path.join(tmp, 'badjson');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'config.json'), '{ "model_type": ');
    await expect(loadPretrained(dir)).rejects.toThrow(/config.json is not valid JSON/);
  });

  it('unsupported model_type lists the supported ones', async () => {
    const dir = await variant('bert', 'gpt2-tiny', {
      config: (c) => {
        c['model_type'] = 'bert';
      },
    });
    await expect(loadPretrained(dir)).rejects.toThrow(
      `model_type "bert" is not supported; supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    );
    expect(SUPPORTED_MODEL_TYPES).toEqual([
      'gpt2',
      'llama',
      'mistral',
      'qwen2',
      'qwen3',
      'gemma3_text',
      'mlp',
      'decision_transformer',
    ]);
  });

  it('contradictory config: architecture of another model type; heads that do not divide', async () => {
    const a = await variant('contra', 'gpt2-tiny', {
      config: (c) => {
        c['architectures'] = ['LlamaForCausalLM'];
      },
    });
    await expect(loadPretrained(a)).rejects.toThrow(
      /contradictory: architectures lists "LlamaForCausalLM" \(a llama model\) but model_type is "gpt2"/,
    );
    const b = await variant('heads', 'gpt2-tiny', {
      config: (c) => {
        c['n_head'] = 5;
      },
    });
    await expect(loadPretrained(b)).rejects.toThrow('n_embd (32) must be divisible by n_head (5)');
    const c = await variant('kv', 'llama-tiny', {
      config: (cfg) => {
        cfg['num_key_value_heads'] = 3;
      },
    });
    await expect(loadPretrained(c)).rejects.toThrow(
      'num_attention_heads (4) must be a multiple of num_key_value_heads (3)',
    );
  });

  it('missing weights file', async () => {
    const dir = path.join(tmp, 'noweights');
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(fixtureDir('gpt2-tiny'), 'config.json'), path.join(dir, 'config.json'));
    fs.writeFileSync(path.join(dir, 'pytorch_model.bin'), '');
    await expect(loadPretrained(dir)).rejects.toThrow(
      /No model.safetensors or model.safetensors.index.json .*convert it to safetensors/,
    );
  });

  it('missing tensor is named', async () => {
    const dir = await variant('missing', 'gpt2-tiny', { tensors: (t) => void delete t['h.1.ln_2.bias'] });
    await expect(loadPretrained(dir)).rejects.toThrow(
      /lacks 1 tensor\(s\) that GPT2LMHeadModel needs: transformer\.h\.1\.ln_2\.bias/,
    );
  });

  it('misshapen tensor names the tensor and both shapes', async () => {
    const dir = await variant('shape', 'llama-tiny', {
      tensors: (t) => {
        t['model.layers.0.self_attn.v_proj.weight'] = {
          dtype: 'F32',
          shape: [32, 32],
          data: new Float32Array(32 * 32),
        };
      },
    });
    await expect(loadPretrained(dir)).rejects.toThrow(
      'Tensor "model.layers.0.self_attn.v_proj.weight" in ' +
        path.join(dir, 'model.safetensors') +
        ' has shape [32, 32] but LlamaForCausalLM with this config.json needs [16, 32]',
    );
  });

  it('a layer count that disagrees with the weights is reported (strict by default)', async () => {
    const dir = await variant('layers', 'gpt2-tiny', {
      config: (c) => {
        c['n_layer'] = 1;
      },
    });
    await expect(loadPretrained(dir)).rejects.toThrow(/has \d+ tensor\(s\) that GPT2LMHeadModel does not use: h\.1\./);
    const model = await loadPretrained(dir, { strict: false });
    expect(model.parameterCount()).toBeGreaterThan(0);
    model.dispose();
  });

  it('token ids outside the vocabulary', async () => {
    const model = await loadPretrained(fixtureDir('gpt2-tiny'));
    if (!(model instanceof Gpt2LMHeadModel)) throw new Error('expected GPT-2');
    const ids = tf.tensor2d([[1, 2, 64]], [1, 3], 'int32');
    expect(() => model.call({ inputIds: ids })).toThrow(
      /Token id out of range: ids span \[1, 64\] but the vocabulary has 64 entries/,
    );
    ids.dispose();
    model.dispose();
  });
});
