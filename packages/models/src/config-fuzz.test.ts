import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPeftjsError } from '@peftjs/core';
import { resolveArchitecture } from './architectures';
import type { JsonObject } from './config-fields';
import { fixtureDir } from './fixtures.test-support';

/**
 * Hugging Face's defaults for every field each family's configuration class declares, transcribed
 * from transformers 5 (`configuration_gpt2.py`, `configuration_llama.py`, `configuration_mistral.py`,
 * `configuration_qwen2.py`, `configuration_qwen3.py`, `configuration_gemma3.py`); derived defaults are
 * functions of the rest of the config, as the classes' `__post_init__` computes them. A deleted field
 * must parse exactly as the same config with this value written in.
 */
type Default = unknown | ((c: JsonObject) => unknown);
const derived = (f: (c: JsonObject) => unknown) => ({ derived: f });
const layers = (c: JsonObject) => Number(c['num_hidden_layers']);
const qwenLayerTypes = derived((c) => {
  const window =
    c['use_sliding_window'] === true ? (c['sliding_window'] === undefined ? 4096 : c['sliding_window']) : null;
  const mwl = c['max_window_layers'] ?? 28;
  return Array.from({ length: layers(c) }, (_, i) =>
    window !== null && i >= Number(mwl) ? 'sliding_attention' : 'full_attention',
  );
});
const HF_DEFAULTS: Record<string, Record<string, Default>> = {
  gpt2: {
    vocab_size: 50257,
    n_positions: 1024,
    n_embd: 768,
    n_layer: 12,
    n_head: 12,
    n_inner: null,
    activation_function: 'gelu_new',
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    add_cross_attention: false,
    tie_word_embeddings: true,
    bos_token_id: 50256,
    eos_token_id: 50256,
  },
  llama: {
    vocab_size: 32000,
    hidden_size: 4096,
    intermediate_size: 11008,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: derived((c) => c['num_attention_heads'] ?? 32),
    hidden_act: 'silu',
    max_position_embeddings: 2048,
    rms_norm_eps: 1e-6,
    pretraining_tp: 1,
    tie_word_embeddings: false,
    rope_theta: 10000,
    rope_scaling: null,
    rope_parameters: derived((c) => ({ rope_type: 'default', rope_theta: c['rope_theta'] ?? 10000 })),
    attention_bias: false,
    attention_dropout: 0,
    mlp_bias: false,
    head_dim: derived((c) => Number(c['hidden_size'] ?? 4096) / Number(c['num_attention_heads'] ?? 32)),
  },
  mistral: {
    vocab_size: 32000,
    hidden_size: 4096,
    intermediate_size: 14336,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 8,
    head_dim: derived((c) => Number(c['hidden_size'] ?? 4096) / Number(c['num_attention_heads'] ?? 32)),
    hidden_act: 'silu',
    max_position_embeddings: 4096 * 32,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: false,
    rope_theta: 10000,
    rope_scaling: null,
    rope_parameters: derived((c) => ({ rope_type: 'default', rope_theta: c['rope_theta'] ?? 10000 })),
    sliding_window: 4096,
    attention_dropout: 0,
  },
  qwen2: {
    vocab_size: 151936,
    hidden_size: 4096,
    intermediate_size: 22016,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 32,
    hidden_act: 'silu',
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: false,
    rope_theta: 10000,
    rope_scaling: null,
    rope_parameters: derived((c) => ({ rope_type: 'default', rope_theta: c['rope_theta'] ?? 10000 })),
    use_sliding_window: false,
    sliding_window: 4096,
    max_window_layers: 28,
    layer_types: qwenLayerTypes,
    attention_dropout: 0,
  },
  qwen3: {
    vocab_size: 151936,
    hidden_size: 4096,
    intermediate_size: 22016,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    num_key_value_heads: 32,
    head_dim: 128,
    hidden_act: 'silu',
    max_position_embeddings: 32768,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: false,
    rope_theta: 10000,
    rope_scaling: null,
    rope_parameters: derived((c) => ({ rope_type: 'default', rope_theta: c['rope_theta'] ?? 10000 })),
    attention_bias: false,
    use_sliding_window: false,
    sliding_window: 4096,
    max_window_layers: 28,
    layer_types: qwenLayerTypes,
    attention_dropout: 0,
  },
  gemma3_text: {
    vocab_size: 262208,
    hidden_size: 2304,
    intermediate_size: 9216,
    num_hidden_layers: 26,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    head_dim: 256,
    hidden_activation: 'gelu_pytorch_tanh',
    max_position_embeddings: 131072,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: true,
    attention_bias: false,
    attention_dropout: 0,
    query_pre_attn_scalar: 256,
    sliding_window: 4096,
    final_logit_softcapping: null,
    attn_logit_softcapping: null,
    use_bidirectional_attention: false,
    rope_theta: 1e6,
    rope_local_base_freq: 1e4,
    rope_scaling: null,
    sliding_window_pattern: 6,
    _sliding_window_pattern: 6,
    layer_types: derived((c) => {
      const pattern = Number(c['sliding_window_pattern'] ?? c['_sliding_window_pattern'] ?? 6);
      return Array.from({ length: layers(c) }, (_, i) => ((i + 1) % pattern ? 'sliding_attention' : 'full_attention'));
    }),
    rope_parameters: derived((c) => ({
      full_attention: { rope_type: 'default', rope_theta: c['rope_theta'] ?? 1e6 },
      sliding_attention: { rope_type: 'default', rope_theta: c['rope_local_base_freq'] ?? 1e4 },
    })),
  },
};

/** Fields that do not change the numbers of a forward pass (token ids, init, bookkeeping): left out of the comparison. */
const NOT_NUMERIC = ['padTokenId', 'bosTokenId', 'eosTokenId', 'numLabels', 'initializerRange'];
function numbers(parsed: object): unknown {
  return JSON.parse(JSON.stringify(parsed, (k, v) => (NOT_NUMERIC.includes(k) ? undefined : v)));
}

/** The parsed config, or the error, of a raw config.json; any error that is not a PeftjsError with code E_CONFIG fails the test. */
function outcome(raw: JsonObject): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: numbers(resolveArchitecture(raw, 'config.json').parse(raw)) };
  } catch (error) {
    if (!isPeftjsError(error) || error.code !== 'E_CONFIG')
      throw new Error(`not a typed config error: ${String(error)}`);
    return { ok: false };
  }
}

const BASES: Array<[string, JsonObject]> = [
  ...['gpt2', 'llama3', 'qwen2', 'qwen3', 'mistral', 'gemma3'].map((n) => `hf/${n}`),
  ...fs.readdirSync(fixtureDir('families')).map((n) => `families/${n}`),
].map((n) => [n, JSON.parse(fs.readFileSync(path.join(fixtureDir(n), 'config.json'), 'utf8')) as JsonObject]);

const otherType = (v: unknown): fc.Arbitrary<unknown> => {
  const kinds: Array<[string, fc.Arbitrary<unknown>]> = [
    ['string', fc.string({ maxLength: 6 })],
    ['number', fc.oneof(fc.integer({ min: -5, max: 5 }), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ['boolean', fc.boolean()],
    ['array', fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 3 })), { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 })],
    ['null', fc.constant(null)],
  ];
  const type = v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
  // A field set to null in the base is optional-numeric (softcaps, windows, ids): a number is a valid value, not another type.
  return fc.oneof(...kinds.filter(([k]) => k !== type && !(type === 'null' && k === 'number')).map(([, a]) => a));
};

/**
 * Fields whose `null` is a value of its own in transformers, not "absent": `head_dim: null` is
 * hidden_size / heads; `sliding_window: null` is no window (everything else unchanged).
 */
const omit = (v: unknown, keys: string[]): string => JSON.stringify(v, (k, x) => (keys.includes(k) ? undefined : x));
const NULL_MEANS: Record<string, (got: unknown, reference: unknown, base: JsonObject) => boolean> = {
  head_dim: (got, _, base) => {
    const filled = outcome({ ...base, head_dim: Number(base['hidden_size']) / Number(base['num_attention_heads']) });
    return filled.ok && JSON.stringify(filled.value) === JSON.stringify(got);
  },
  sliding_window: (got, reference) =>
    (got as { slidingWindow: unknown }).slidingWindow === null &&
    omit(got, ['slidingWindow', 'layerTypes']) === omit(reference, ['slidingWindow', 'layerTypes']),
};

type Mutation =
  | { kind: 'delete'; field: string }
  | { kind: 'retype'; field: string; value: unknown }
  | { kind: 'unknown'; field: string; value: unknown };

const mutation = (base: JsonObject): fc.Arbitrary<Mutation> => {
  const fields = Object.keys(base);
  return fc.oneof(
    fc.constantFrom(...fields).map((field): Mutation => ({ kind: 'delete', field })),
    fc
      .constantFrom(...fields)
      .chain((field) => otherType(base[field]).map((value): Mutation => ({ kind: 'retype', field, value }))),
    fc
      .tuple(
        fc.string({ minLength: 1, maxLength: 8 }).map((s) => `x_${s}`),
        fc.jsonValue(),
      )
      .map(([field, value]): Mutation => ({ kind: 'unknown', field, value })),
  );
};

describe('config.json parsing under random deletions, type changes and unknown fields (issue 15)', () => {
  it('gives the reference result or an E_CONFIG error, never another result or another crash (6,000 seeded cases)', () => {
    const counts = { delete: 0, retype: 0, unknown: 0, errors: 0 };
    const arbitrary = fc
      .integer({ min: 0, max: BASES.length - 1 })
      .chain((i) => mutation((BASES[i] as [string, JsonObject])[1]).map((m) => [i, m] as const));
    fc.assert(
      fc.property(arbitrary, ([i, m]) => {
        const [name, base] = BASES[i] as [string, JsonObject];
        const reference = outcome(base);
        if (!reference.ok) throw new Error(`${name}: the unmutated config must parse`);
        const mutated: JsonObject = { ...base };
        const modelType = String(base['model_type']);
        counts[m.kind]++;
        if (m.kind === 'delete') {
          delete mutated[m.field];
          const got = outcome(mutated);
          if (!got.ok) return void counts.errors++;
          const table = HF_DEFAULTS[modelType] ?? {};
          if (m.field in table) {
            // Reference: the same config with Hugging Face's default written in.
            const d = table[m.field];
            const filled = {
              ...mutated,
              [m.field]:
                typeof d === 'object' && d !== null && 'derived' in d
                  ? (d as { derived: (c: JsonObject) => unknown }).derived(mutated)
                  : d,
            };
            const expected = outcome(filled);
            expect(expected.ok && got.value, `${name} without ${m.field}`).toEqual(
              expected.ok ? expected.value : undefined,
            );
          } else {
            // A field the family does not declare: transformers ignores it, so must we.
            expect(got.value, `${name} without ${m.field}`).toEqual(reference.value);
          }
        } else if (m.kind === 'retype') {
          mutated[m.field] = m.value;
          const got = outcome(mutated);
          if (!got.ok) return void counts.errors++;
          // Accepted only if the numbers did not change (a field with no effect), or null read as "absent".
          const withoutField = { ...base };
          delete withoutField[m.field];
          const absent = m.value === null ? outcome(withoutField) : { ok: false as const };
          const nullMeans = m.value === null ? NULL_MEANS[m.field] : undefined;
          const same =
            JSON.stringify(got.value) === JSON.stringify(reference.value) ||
            (absent.ok && JSON.stringify(got.value) === JSON.stringify(absent.value)) ||
            nullMeans?.(got.value, reference.value, base);
          expect(same, `${name} with ${m.field} = ${JSON.stringify(m.value)} parsed to another result`).toBe(true);
        } else {
          mutated[m.field] = m.value;
          const got = outcome(mutated);
          expect(got.ok && got.value, `${name} with unknown ${m.field}`).toEqual(reference.value);
        }
      }),
      { seed: 20261130, numRuns: 6000 },
    );
    expect(counts.delete + counts.retype + counts.unknown).toBe(6000);
    expect(counts.errors).toBeGreaterThan(100);
  });
});
