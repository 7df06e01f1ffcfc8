import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveArchitecture } from './architectures';
import type { JsonObject } from './config-fields';
import { fixtureDir } from './fixtures.test-support';
import { parseGemma3TextConfig } from './gemma3-config';
import { parseGpt2Config } from './gpt2-config';
import { parseLlamaConfig } from './llama-config';
import { parseMistralConfig } from './mistral-config';
import { parseQwen2Config, parseQwen3Config } from './qwen-config';

const config = (name: string): JsonObject =>
  JSON.parse(fs.readFileSync(path.join(fixtureDir(name), 'config.json'), 'utf8')) as JsonObject;
const parse = (raw: JsonObject): object => resolveArchitecture(raw, 'config.json').parse(raw);

describe('transformers 4 and 5 layouts give the same config', () => {
  it('Llama 3: rope_parameters (v5) = rope_theta + rope_scaling (v4), dtype = torch_dtype', () => {
    const v5 = config('hf/llama3');
    const { rope_parameters: rope, dtype, ...rest } = v5 as JsonObject & { rope_parameters: JsonObject };
    const { rope_theta: theta, ...scaling } = rope;
    const v4 = { ...rest, rope_theta: theta, rope_scaling: scaling, torch_dtype: dtype };
    expect(parse(v4)).toEqual(parse(v5));
    // The failing input: no top-level rope_theta, llama3 scaling only in rope_parameters.
    expect(parseLlamaConfig(v5).rope.full_attention).toEqual({
      theta: 500000,
      scaling: { kind: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 16 },
    });
  });

  it('rope_scaling with the old "type" key and with "rope_type" read alike; both layouts at once must agree', () => {
    const base = { model_type: 'llama', hidden_size: 64, num_attention_heads: 4, rope_theta: 10000 };
    const a = parseLlamaConfig({ ...base, rope_scaling: { type: 'linear', factor: 2 } });
    expect(a.rope.full_attention.scaling).toEqual({ kind: 'linear', factor: 2 });
    expect(parseLlamaConfig({ ...base, rope_scaling: { rope_type: 'linear', factor: 2 } })).toEqual(a);
    expect(() =>
      parseLlamaConfig({
        ...base,
        rope_parameters: { rope_type: 'linear', factor: 4, rope_theta: 10000 },
        rope_scaling: { type: 'linear', factor: 2 },
      }),
    ).toThrow(/contradictory: "rope_scaling" .* and "rope_parameters" disagree/);
    expect(() => parseLlamaConfig({ ...base, rope_parameters: { rope_type: 'default', rope_theta: 500 } })).toThrow(
      /contradictory: "rope_theta" is 10000 but "rope_parameters.rope_theta" is 500/,
    );
  });

  it('Gemma 3: v4 rope_theta + rope_local_base_freq + sliding_window_pattern = v5 nested rope_parameters + layer_types', () => {
    const v4 = config('families/gemma3-v4-pattern2-tied');
    const v5 = {
      ...v4,
      layer_types: ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention'],
      rope_parameters: {
        full_attention: { rope_type: 'linear', factor: 8, rope_theta: 1000000 },
        sliding_attention: { rope_type: 'default', rope_theta: 10000 },
      },
    };
    for (const k of ['rope_theta', 'rope_scaling', 'rope_local_base_freq', 'sliding_window_pattern', 'torch_dtype'])
      delete (v5 as JsonObject)[k];
    expect(parseGemma3TextConfig(v5)).toEqual(parseGemma3TextConfig(v4));
  });

  it('Qwen2 v4: layer types derived from use_sliding_window and max_window_layers; without use_sliding_window no layer slides', () => {
    const v4 = config('families/qwen2-sliding-llama3-v4');
    expect(parseQwen2Config(v4).layerTypes).toEqual(['full_attention', 'sliding_attention']);
    const off = parseQwen2Config({ ...v4, use_sliding_window: false });
    expect([off.slidingWindow, ...off.layerTypes]).toEqual([null, 'full_attention', 'full_attention']);
  });
});

/** Every field that changes the numbers but is not implemented is an E_CONFIG error naming it. */
describe.each([
  [
    'Llama attention_dropout',
    () => parseLlamaConfig({ ...config('hf/llama3'), attention_dropout: 0.1 }),
    /"attention_dropout" is 0.1/,
  ],
  [
    'Llama pretraining_tp',
    () => parseLlamaConfig({ ...config('hf/llama3'), pretraining_tp: 2 }),
    /"pretraining_tp" is 2/,
  ],
  [
    'partial_rotary_factor',
    () => parseLlamaConfig({ ...config('hf/llama3'), partial_rotary_factor: 0.5 }),
    /"partial_rotary_factor" is 0.5/,
  ],
  [
    'partial rotary in rope_parameters',
    () =>
      parseQwen3Config({
        ...config('hf/qwen3'),
        rope_parameters: { rope_type: 'default', rope_theta: 1e4, partial_rotary_factor: 0.25 },
      }),
    /"rope_parameters.partial_rotary_factor" is 0.25/,
  ],
  [
    'longrope',
    () => parseMistralConfig({ ...config('hf/mistral'), rope_parameters: { rope_type: 'longrope', rope_theta: 1e4 } }),
    /"rope_parameters.rope_type" is "longrope", which is not implemented/,
  ],
  [
    'quantization_config',
    () => parseQwen2Config({ ...config('hf/qwen2'), quantization_config: { quant_method: 'gptq' } }),
    /"quantization_config" is set/,
  ],
  ['dtype int8', () => parseQwen2Config({ ...config('hf/qwen2'), dtype: 'int8' }), /"dtype" is "int8"/],
  ['pruned_heads', () => parseGpt2Config({ ...config('hf/gpt2'), pruned_heads: { '0': [1] } }), /"pruned_heads" is/],
  [
    'GPT-2 scale_attn_by_inverse_layer_idx',
    () => parseGpt2Config({ ...config('hf/gpt2'), scale_attn_by_inverse_layer_idx: true }),
    /"scale_attn_by_inverse_layer_idx" is true/,
  ],
  [
    'GPT-2 unknown activation',
    () => parseGpt2Config({ ...config('hf/gpt2'), activation_function: 'mish' }),
    /"activation_function" is "mish"/,
  ],
  [
    'Gemma 3 bidirectional',
    () => parseGemma3TextConfig({ ...config('hf/gemma3'), use_bidirectional_attention: true }),
    /"use_bidirectional_attention" is true/,
  ],
  [
    'an unknown layer type',
    () => parseGemma3TextConfig({ ...config('hf/gemma3'), layer_types: ['chunked_attention', 'full_attention'] }),
    /"layer_types\[0\]" is "chunked_attention", which is not implemented/,
  ],
  [
    'a per-kind rope on a one-rope family',
    () =>
      parseLlamaConfig({
        ...config('hf/llama3'),
        rope_parameters: { full_attention: { rope_type: 'default', rope_theta: 1e4 } },
      }),
    /split by attention kind/,
  ],
  [
    'an unknown activation',
    () => parseLlamaConfig({ ...config('hf/llama3'), hidden_act: 'gelu_10' }),
    /"hidden_act" is "gelu_10", which is not implemented/,
  ],
])('rejected: %s', (_, run, message) => {
  it('throws E_CONFIG naming the field', () => {
    expect(run).toThrow(expect.objectContaining({ code: 'E_CONFIG', message: expect.stringMatching(message) }));
  });
});

/** config.json files as the model repositories publish them (transformers 4 layout), trimmed of nothing. */
describe('published configs parse to their documented shapes', () => {
  it('SmolLM2-135M (Llama, tied, bfloat16; unknown is_llama_config / rope_interleaved are ignored as HF does)', () => {
    const c = parse({
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      attention_dropout: 0.0,
      bos_token_id: 0,
      eos_token_id: 0,
      hidden_act: 'silu',
      hidden_size: 576,
      initializer_range: 0.041666666666666664,
      intermediate_size: 1536,
      is_llama_config: true,
      max_position_embeddings: 8192,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 9,
      num_hidden_layers: 30,
      num_key_value_heads: 3,
      pretraining_tp: 1,
      rms_norm_eps: 1e-5,
      rope_interleaved: false,
      rope_scaling: null,
      rope_theta: 100000,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      transformers_version: '4.40.1',
      use_cache: true,
      vocab_size: 49152,
    }) as ReturnType<typeof parseLlamaConfig>;
    expect([
      c.hiddenSize,
      c.numHiddenLayers,
      c.numAttentionHeads,
      c.numKeyValueHeads,
      c.headDim,
      c.vocabSize,
      c.tieWordEmbeddings,
    ]).toEqual([576, 30, 9, 3, 64, 49152, true]);
    expect(c.rope.full_attention).toEqual({ theta: 100000, scaling: { kind: 'default' } });
  });

  it('Llama 3.2 1B (llama3 rope scaling, eos list)', () => {
    const c = parseLlamaConfig({
      architectures: ['LlamaForCausalLM'],
      attention_bias: false,
      attention_dropout: 0.0,
      bos_token_id: 128000,
      eos_token_id: [128001, 128008, 128009],
      head_dim: 64,
      hidden_act: 'silu',
      hidden_size: 2048,
      initializer_range: 0.02,
      intermediate_size: 8192,
      max_position_embeddings: 131072,
      mlp_bias: false,
      model_type: 'llama',
      num_attention_heads: 32,
      num_hidden_layers: 16,
      num_key_value_heads: 8,
      pretraining_tp: 1,
      rms_norm_eps: 1e-5,
      rope_scaling: {
        factor: 32.0,
        high_freq_factor: 4.0,
        low_freq_factor: 1.0,
        original_max_position_embeddings: 8192,
        rope_type: 'llama3',
      },
      rope_theta: 500000.0,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      transformers_version: '4.45.0.dev0',
      use_cache: true,
      vocab_size: 128256,
    });
    expect(c.rope.full_attention.scaling).toEqual({
      kind: 'llama3',
      factor: 32,
      lowFreqFactor: 1,
      highFreqFactor: 4,
      originalMaxPositionEmbeddings: 8192,
    });
    expect(c.eosTokenId).toBe(128001);
  });

  it('Qwen2.5-0.5B (sliding_window present but use_sliding_window false: full attention everywhere)', () => {
    const c = parseQwen2Config({
      architectures: ['Qwen2ForCausalLM'],
      attention_dropout: 0.0,
      bos_token_id: 151643,
      eos_token_id: 151643,
      hidden_act: 'silu',
      hidden_size: 896,
      initializer_range: 0.02,
      intermediate_size: 4864,
      max_position_embeddings: 32768,
      max_window_layers: 24,
      model_type: 'qwen2',
      num_attention_heads: 14,
      num_hidden_layers: 24,
      num_key_value_heads: 2,
      rms_norm_eps: 1e-6,
      rope_theta: 1000000.0,
      sliding_window: 32768,
      tie_word_embeddings: true,
      torch_dtype: 'bfloat16',
      transformers_version: '4.40.1',
      use_cache: true,
      use_sliding_window: false,
      vocab_size: 151936,
    });
    expect([c.slidingWindow, new Set(c.layerTypes).size, c.layerTypes[0], c.headDim, c.qkvBias, c.outputBias]).toEqual([
      null,
      1,
      'full_attention',
      64,
      true,
      false,
    ]);
  });

  it('Gemma 3 270M (v4.5x layout with layer_types, rope_local_base_freq)', () => {
    const layerTypes = Array.from({ length: 18 }, (_, i) => ((i + 1) % 6 ? 'sliding_attention' : 'full_attention'));
    const c = parseGemma3TextConfig({
      _sliding_window_pattern: 6,
      architectures: ['Gemma3ForCausalLM'],
      attention_bias: false,
      attention_dropout: 0.0,
      attn_logit_softcapping: null,
      bos_token_id: 2,
      eos_token_id: 1,
      final_logit_softcapping: null,
      head_dim: 256,
      hidden_activation: 'gelu_pytorch_tanh',
      hidden_size: 640,
      initializer_range: 0.02,
      intermediate_size: 2048,
      layer_types: layerTypes,
      max_position_embeddings: 32768,
      model_type: 'gemma3_text',
      num_attention_heads: 4,
      num_hidden_layers: 18,
      num_key_value_heads: 1,
      pad_token_id: 0,
      query_pre_attn_scalar: 256,
      rms_norm_eps: 1e-6,
      rope_local_base_freq: 10000.0,
      rope_scaling: null,
      rope_theta: 1000000.0,
      sliding_window: 512,
      torch_dtype: 'bfloat16',
      transformers_version: '4.55.0.dev0',
      use_bidirectional_attention: false,
      use_cache: true,
      vocab_size: 262144,
    });
    expect(c.layerTypes).toEqual(layerTypes);
    expect([
      c.rope.full_attention.theta,
      c.rope.sliding_attention.theta,
      c.slidingWindow,
      c.attentionScale,
      c.embeddingScale,
    ]).toEqual([1e6, 1e4, 512, 1 / 16, Math.fround(Math.sqrt(640))]);
  });
});
