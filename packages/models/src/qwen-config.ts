import type { ConfigReader, JsonObject } from './config-fields';
import {
  decoderConfigToJson,
  parseDecoderConfig,
  readLayerTypes,
  type DecoderConfig,
  type DecoderFamilySpec,
} from './decoder-config';
import type { AttentionKind } from './rope-config';

/**
 * Qwen's window fields (`configuration_qwen2.py`, `configuration_qwen3.py`): `sliding_window` counts
 * only with `use_sliding_window`; without `layer_types` (v4), layers from `max_window_layers` on slide.
 */
function qwenWindows(
  r: ConfigReader,
  numHiddenLayers: number,
): { layerTypes: AttentionKind[]; slidingWindow: number | null } {
  const use = r.boolean('use_sliding_window', false);
  const window = !use || r.raw['sliding_window'] === null ? null : r.positiveInt('sliding_window', 4096);
  const maxWindowLayers =
    r.raw['max_window_layers'] === null
      ? 28
      : r.number('max_window_layers', 28, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
  const layerTypes = readLayerTypes(r, numHiddenLayers, () =>
    Array.from({ length: numHiddenLayers }, (_, i) =>
      window !== null && i >= maxWindowLayers ? 'sliding_attention' : 'full_attention',
    ),
  );
  // A "sliding_attention" layer without a window (use_sliding_window false) attends fully, as in HF.
  return { layerTypes: layerTypes.map((k) => (window === null ? 'full_attention' : k)), slidingWindow: window };
}

const QWEN_DEFAULTS = {
  vocabSize: 151936,
  hiddenSize: 4096,
  intermediateSize: 22016,
  numHiddenLayers: 32,
  numAttentionHeads: 32,
  numKeyValueHeads: 32,
  maxPositionEmbeddings: 32768,
  rmsNormEps: 1e-6,
  tieWordEmbeddings: false,
  hiddenAct: 'silu',
  rope: { theta: 10000 },
} as const;

const windowJson = (c: DecoderConfig): JsonObject => ({
  use_sliding_window: c.slidingWindow !== null,
  sliding_window: c.slidingWindow,
  layer_types: [...c.layerTypes],
});

/** Qwen2 (`modeling_qwen2.py`): bias on q/k/v, none on o_proj or the MLP. */
const QWEN2_SPEC: DecoderFamilySpec = {
  modelType: 'qwen2',
  label: 'Qwen2',
  defaults: { ...QWEN_DEFAULTS, headDim: null },
  activationField: 'hidden_act',
  read: (r, { numHiddenLayers, headDim }) => ({
    ...qwenWindows(r, numHiddenLayers),
    qkvBias: true,
    outputBias: false,
    mlpBias: false,
    qkNorm: false,
    normOffset: 0,
    sandwichNorms: false,
    embeddingScale: 1,
    attentionScale: 1 / Math.sqrt(headDim),
    attnLogitSoftcapping: null,
    finalLogitSoftcapping: null,
  }),
  json: windowJson,
};

/** Qwen3 (`modeling_qwen3.py`): `attention_bias` on q/k/v/o, per-head RMSNorm of q and k, `head_dim` (default 128). */
const QWEN3_SPEC: DecoderFamilySpec = {
  modelType: 'qwen3',
  label: 'Qwen3',
  defaults: { ...QWEN_DEFAULTS, headDim: 128 },
  activationField: 'hidden_act',
  read: (r, { numHiddenLayers, headDim }) => {
    const bias = r.boolean('attention_bias', false);
    return {
      ...qwenWindows(r, numHiddenLayers),
      qkvBias: bias,
      outputBias: bias,
      mlpBias: false,
      qkNorm: true,
      normOffset: 0,
      sandwichNorms: false,
      embeddingScale: 1,
      attentionScale: 1 / Math.sqrt(headDim),
      attnLogitSoftcapping: null,
      finalLogitSoftcapping: null,
    };
  },
  json: (c) => ({ ...windowJson(c), attention_bias: c.qkvBias }),
};

/** Validates a Qwen2 `config.json` object (transformers 4 or 5 layout). */
export function parseQwen2Config(raw: JsonObject): DecoderConfig {
  return parseDecoderConfig(raw, QWEN2_SPEC);
}

/** Validates a Qwen3 `config.json` object (transformers 4 or 5 layout). */
export function parseQwen3Config(raw: JsonObject): DecoderConfig {
  return parseDecoderConfig(raw, QWEN3_SPEC);
}

/** The Hugging Face `config.json` object (transformers 5 layout) for a Qwen2 or Qwen3 config, by its `modelType`. */
export function qwenConfigToJson(c: DecoderConfig, architecture: string): JsonObject {
  return decoderConfigToJson(c, architecture, c.modelType === 'qwen3' ? QWEN3_SPEC : QWEN2_SPEC);
}
