import { ModelConfigError, type JsonObject } from './config-fields';
import {
  decoderConfigToJson,
  optionalPositive,
  parseDecoderConfig,
  readLayerTypes,
  type DecoderConfig,
  type DecoderFamilySpec,
} from './decoder-config';

/**
 * Gemma 3 text (`Gemma3TextConfig` / `modeling_gemma3.py`, `Gemma3ForCausalLM`): embeddings times
 * sqrt(hidden_size), RMSNorm with `(1 + weight)`, norms before and after attention and MLP, q/k
 * norm, attention scale `query_pre_attn_scalar^-0.5`, `layer_types` (v4: every
 * `sliding_window_pattern`-th layer full), a separate rope for sliding layers (v4:
 * `rope_local_base_freq`), optional tanh soft-capping of attention and final logits.
 * `use_bidirectional_attention: true` is rejected.
 */
const GEMMA3_SPEC: DecoderFamilySpec = {
  modelType: 'gemma3_text',
  label: 'Gemma3',
  defaults: {
    vocabSize: 262208,
    hiddenSize: 2304,
    intermediateSize: 9216,
    numHiddenLayers: 26,
    numAttentionHeads: 8,
    numKeyValueHeads: 4,
    headDim: 256,
    maxPositionEmbeddings: 131072,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: true,
    hiddenAct: 'gelu_pytorch_tanh',
    rope: { theta: 1_000_000, local: { theta: 10_000, v4Field: 'rope_local_base_freq' } },
  },
  activationField: 'hidden_activation',
  read: (r, { numHiddenLayers, hiddenSize }) => {
    r.requireDefault('use_bidirectional_attention', false, 'bidirectional attention is not implemented');
    const patternField =
      r.raw['sliding_window_pattern'] !== undefined ? 'sliding_window_pattern' : '_sliding_window_pattern';
    const pattern = r.positiveInt(patternField, 6);
    const window = r.raw['sliding_window'] === null ? null : r.positiveInt('sliding_window', 4096);
    const layerTypes = readLayerTypes(r, numHiddenLayers, () =>
      Array.from({ length: numHiddenLayers }, (_, i) =>
        (i + 1) % pattern !== 0 ? 'sliding_attention' : 'full_attention',
      ),
    );
    const bias = r.boolean('attention_bias', false);
    const scalar = r.number('query_pre_attn_scalar', 256, (v) => v > 0, 'a positive number');
    return {
      layerTypes,
      slidingWindow: window,
      qkvBias: bias,
      outputBias: bias,
      mlpBias: false,
      qkNorm: true,
      normOffset: 1,
      sandwichNorms: true,
      // HF keeps sqrt(hidden_size) as a tensor cast to the weights' dtype: float32 here.
      embeddingScale: Math.fround(Math.sqrt(hiddenSize)),
      attentionScale: scalar ** -0.5,
      attnLogitSoftcapping: optionalPositive(r, 'attn_logit_softcapping'),
      finalLogitSoftcapping: optionalPositive(r, 'final_logit_softcapping'),
    };
  },
  json: (c) => ({
    layer_types: [...c.layerTypes],
    sliding_window: c.slidingWindow,
    attention_bias: c.qkvBias,
    query_pre_attn_scalar: Math.round(c.attentionScale ** -2 * 1e6) / 1e6,
    attn_logit_softcapping: c.attnLogitSoftcapping,
    final_logit_softcapping: c.finalLogitSoftcapping,
    use_bidirectional_attention: false,
  }),
};

/** Validates a Gemma 3 text `config.json` object (transformers 4 or 5 layout). */
export function parseGemma3TextConfig(raw: JsonObject): DecoderConfig {
  return parseDecoderConfig(raw, GEMMA3_SPEC);
}

/** The Hugging Face `config.json` object for a Gemma 3 text config. */
export function gemma3TextConfigToJson(c: DecoderConfig, architecture: string): JsonObject {
  if (c.modelType !== 'gemma3_text')
    throw new ModelConfigError(`gemma3TextConfigToJson: expected a gemma3_text config, got ${c.modelType}`);
  return decoderConfigToJson(c, architecture, GEMMA3_SPEC);
}
