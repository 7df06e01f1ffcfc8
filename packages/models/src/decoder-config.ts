import { ACTIVATIONS } from './activations';
import { ConfigReader, ModelConfigError, rejectPrunedHeads, type JsonObject } from './config-fields';
import { numLabels, optionalId } from './gpt2-config';
import { parseRope, ropeToJson, type AttentionKind, type RopeByKind, type RopeDefaults } from './rope-config';

/** The `model_type` values of the Llama-like decoder families. */
export type DecoderModelType = 'llama' | 'mistral' | 'qwen2' | 'qwen3' | 'gemma3_text';

/**
 * A validated config of a Llama-like decoder (Llama, Mistral, Qwen2, Qwen3, Gemma 3 text): every
 * field that changes the numbers, normalised from either transformers layout (HF names in comments).
 */
export interface DecoderConfig {
  /** The family (`model_type`). */
  readonly modelType: DecoderModelType;
  /** Token vocabulary size `V` (`vocab_size`). */
  readonly vocabSize: number; // vocab_size
  /** Model width `d` (`hidden_size`). */
  readonly hiddenSize: number; // hidden_size
  /** MLP inner width (`intermediate_size`). */
  readonly intermediateSize: number; // intermediate_size
  /** Decoder layers (`num_hidden_layers`). */
  readonly numHiddenLayers: number; // num_hidden_layers
  /** Query heads (`num_attention_heads`). */
  readonly numAttentionHeads: number; // num_attention_heads
  /** Key/value heads for grouped-query attention (`num_key_value_heads`, default `numAttentionHeads`). */
  readonly numKeyValueHeads: number; // num_key_value_heads ?? num_attention_heads
  /** Width per head (`head_dim`, default `hiddenSize / numAttentionHeads`). */
  readonly headDim: number; // head_dim ?? hidden_size / num_attention_heads
  /** MLP activation name (`hidden_act`; Gemma: `hidden_activation`), e.g. `silu`, `gelu_pytorch_tanh`. */
  readonly hiddenAct: string; // hidden_act (Gemma: hidden_activation)
  /** Context length the model was trained for (`max_position_embeddings`); dynamic and YaRN RoPE read it. */
  readonly maxPositionEmbeddings: number; // used by dynamic and yarn rope
  /** Epsilon of every RMSNorm (`rms_norm_eps`). */
  readonly rmsNormEps: number;
  /** Rotary embedding per attention kind (one object for both unless the family separates them). */
  readonly rope: RopeByKind; // rope_parameters (v5) | rope_theta + rope_scaling (v4)
  /** Per layer: full causal or sliding-window attention. */
  readonly layerTypes: readonly AttentionKind[]; // layer_types
  /** Keys `j` with `i - j < slidingWindow` are visible to query `i` in sliding layers; null = no window. */
  readonly slidingWindow: number | null;
  /** Whether `q_proj`, `k_proj`, `v_proj` have biases (`attention_bias` where the family reads it; always for Qwen2). */
  readonly qkvBias: boolean; // q/k/v_proj bias
  /** Whether `o_proj` has a bias (`attention_bias` where the family reads it; never for Qwen2 and Mistral). */
  readonly outputBias: boolean; // o_proj bias
  /** Whether the MLP projections have biases (`mlp_bias`). */
  readonly mlpBias: boolean;
  /** Per-head RMSNorm of queries and keys before RoPE (`q_norm`, `k_norm`: Qwen3, Gemma 3). */
  readonly qkNorm: boolean;
  /** RMSNorm scales by `weight` (Llama) or `1 + weight` (Gemma). */
  readonly normOffset: 0 | 1;
  /** Gemma 3's extra `post_attention`/`pre_feedforward`/`post_feedforward` norms around each block. */
  readonly sandwichNorms: boolean;
  /** Token embeddings are multiplied by this (Gemma: sqrt(hidden_size)). */
  readonly embeddingScale: number;
  /** Attention logits are `q k^T * attentionScale` (head_dim^-0.5, Gemma: query_pre_attn_scalar^-0.5). */
  readonly attentionScale: number;
  /** Attention logits become `cap * tanh(logits / cap)` (Gemma's `attn_logit_softcapping`); null: no cap. */
  readonly attnLogitSoftcapping: number | null;
  /** Output logits become `cap * tanh(logits / cap)` (`final_logit_softcapping`); null: no cap. */
  readonly finalLogitSoftcapping: number | null;
  /** The LM head reuses the token embedding matrix (`tie_word_embeddings`). */
  readonly tieWordEmbeddings: boolean;
  /** Std of the normal init of new weights (`initializer_range`). */
  readonly initializerRange: number;
  /** Classes of a sequence-classification head (`num_labels`, else the size of `id2label`; default 2). */
  readonly numLabels: number;
  /** `pad_token_id`, or null. */
  readonly padTokenId: number | null;
  /** `bos_token_id`, or null. */
  readonly bosTokenId: number | null;
  /** `eos_token_id` (the first when the config lists several), or null. */
  readonly eosTokenId: number | null;
}

/** How one family reads its `config.json`: Hugging Face's defaults and the fields its modeling file reads. */
export interface DecoderFamilySpec {
  readonly modelType: DecoderModelType;
  readonly label: string;
  readonly defaults: {
    readonly vocabSize: number;
    readonly hiddenSize: number;
    readonly intermediateSize: number;
    readonly numHiddenLayers: number;
    readonly numAttentionHeads: number;
    readonly numKeyValueHeads: number | null;
    readonly headDim: number | null;
    readonly maxPositionEmbeddings: number;
    readonly rmsNormEps: number;
    readonly tieWordEmbeddings: boolean;
    readonly hiddenAct: string;
    readonly rope: RopeDefaults;
  };
  /** `hidden_act` or `hidden_activation`. */
  readonly activationField: string;
  /** Per-family fields: biases, windows, norms, scales. */
  readonly read: (
    r: ConfigReader,
    base: { numHiddenLayers: number; headDim: number; hiddenSize: number },
  ) => Pick<
    DecoderConfig,
    | 'layerTypes'
    | 'slidingWindow'
    | 'qkvBias'
    | 'outputBias'
    | 'mlpBias'
    | 'qkNorm'
    | 'normOffset'
    | 'sandwichNorms'
    | 'embeddingScale'
    | 'attentionScale'
    | 'attnLogitSoftcapping'
    | 'finalLogitSoftcapping'
  >;
  /** Family-specific fields written back by `toJson`. */
  readonly json: (c: DecoderConfig) => JsonObject;
}

const ACCEPTED_DTYPES = ['float32', 'float16', 'bfloat16', 'auto'];

/** Checks shared by every family: fields that would change the numbers and are not implemented. */
function rejectUnimplemented(r: ConfigReader): void {
  r.requireDefault('attention_dropout', 0, 'attention dropout is not implemented; set it to 0.0');
  rejectPrunedHeads(r);
  const q = r.raw['quantization_config'];
  if (q !== undefined && q !== null)
    throw new ModelConfigError(
      `${r.label} config field "quantization_config" is set; quantized checkpoints are not implemented, use an unquantized (float32/float16/bfloat16) checkpoint`,
    );
  for (const field of ['dtype', 'torch_dtype']) {
    const v = r.raw[field];
    if (v !== undefined && v !== null && !ACCEPTED_DTYPES.includes(v as string)) {
      throw new ModelConfigError(
        `${r.label} config field "${field}" is ${JSON.stringify(v)}; supported: ${ACCEPTED_DTYPES.join(', ')} (weights are computed in float32)`,
      );
    }
  }
}

/** Reads and validates a Llama-like `config.json` for one family. */
export function parseDecoderConfig(raw: JsonObject, spec: DecoderFamilySpec): DecoderConfig {
  const r = new ConfigReader(raw, spec.label);
  const d = spec.defaults;
  rejectUnimplemented(r);
  const hiddenSize = r.positiveInt('hidden_size', d.hiddenSize);
  const heads = r.positiveInt('num_attention_heads', d.numAttentionHeads);
  const kvHeads = r.positiveInt('num_key_value_heads', d.numKeyValueHeads ?? heads);
  if (heads % kvHeads !== 0) {
    throw new ModelConfigError(
      `${spec.label} config: num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kvHeads})`,
    );
  }
  // Absent: the family's default; null: hidden_size / heads (HF's `getattr(config, "head_dim", None) or ...`).
  const explicitHeadDim = raw['head_dim'] === null ? null : (r.optionalPositiveInt('head_dim') ?? d.headDim);
  if (explicitHeadDim === null && hiddenSize % heads !== 0) {
    throw new ModelConfigError(
      `${spec.label} config: hidden_size (${hiddenSize}) must be divisible by num_attention_heads (${heads}) when head_dim is not given`,
    );
  }
  const headDim = explicitHeadDim ?? hiddenSize / heads;
  if (headDim % 2 !== 0)
    throw new ModelConfigError(
      `${spec.label} config: the head dimension (${headDim}) must be even for rotary embeddings`,
    );
  const numHiddenLayers = r.positiveInt('num_hidden_layers', d.numHiddenLayers);
  const hiddenAct = r.string(spec.activationField, d.hiddenAct);
  if (!(hiddenAct in ACTIVATIONS)) {
    throw new ModelConfigError(
      `${spec.label} config field "${spec.activationField}" is "${hiddenAct}", which is not implemented; supported: ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  }
  return {
    modelType: spec.modelType,
    vocabSize: r.positiveInt('vocab_size', d.vocabSize),
    hiddenSize,
    intermediateSize: r.positiveInt('intermediate_size', d.intermediateSize),
    numHiddenLayers,
    numAttentionHeads: heads,
    numKeyValueHeads: kvHeads,
    headDim,
    hiddenAct,
    maxPositionEmbeddings: r.positiveInt('max_position_embeddings', d.maxPositionEmbeddings),
    rmsNormEps: r.number('rms_norm_eps', d.rmsNormEps, (v) => v > 0, 'a positive number'),
    rope: parseRope(raw, spec.label, d.rope),
    ...spec.read(r, { numHiddenLayers, headDim, hiddenSize }),
    tieWordEmbeddings: r.boolean('tie_word_embeddings', d.tieWordEmbeddings),
    initializerRange: r.number('initializer_range', 0.02, (v) => v >= 0, 'a non-negative number'),
    numLabels: numLabels(r),
    padTokenId: optionalId(r, 'pad_token_id'),
    bosTokenId: optionalId(r, 'bos_token_id'),
    eosTokenId: optionalId(r, 'eos_token_id'),
  };
}

/** Reads `layer_types` (v5) or returns `derive()` (v4 configs); every entry must be an implemented kind. */
export function readLayerTypes(
  r: ConfigReader,
  numHiddenLayers: number,
  derive: () => AttentionKind[],
): AttentionKind[] {
  const v = r.raw['layer_types'];
  if (v === undefined || v === null) return derive();
  if (!Array.isArray(v) || v.length !== numHiddenLayers) {
    throw new ModelConfigError(
      `${r.label} config field "layer_types" must list one attention kind per layer (${numHiddenLayers}), got ${JSON.stringify(v)}`,
    );
  }
  return v.map((kind, i) => {
    if (kind !== 'full_attention' && kind !== 'sliding_attention') {
      throw new ModelConfigError(
        `${r.label} config field "layer_types[${i}]" is ${JSON.stringify(kind)}, which is not implemented; supported: full_attention, sliding_attention`,
      );
    }
    return kind;
  });
}

/** A positive number, or null when the field is absent or null (softcaps). */
export function optionalPositive(r: ConfigReader, field: string): number | null {
  const v = r.raw[field];
  if (v === undefined || v === null) return null;
  return r.number(field, 0, (x) => x > 0, 'a positive number or null');
}

/** The Hugging Face `config.json` object (transformers 5 layout) for a decoder config. */
export function decoderConfigToJson(c: DecoderConfig, architecture: string, spec: DecoderFamilySpec): JsonObject {
  const separate = c.rope.full_attention !== c.rope.sliding_attention;
  return {
    architectures: [architecture],
    model_type: c.modelType,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numHiddenLayers,
    num_attention_heads: c.numAttentionHeads,
    num_key_value_heads: c.numKeyValueHeads,
    head_dim: c.headDim,
    [spec.activationField]: c.hiddenAct,
    max_position_embeddings: c.maxPositionEmbeddings,
    rms_norm_eps: c.rmsNormEps,
    rope_parameters: separate
      ? { full_attention: ropeToJson(c.rope.full_attention), sliding_attention: ropeToJson(c.rope.sliding_attention) }
      : ropeToJson(c.rope.full_attention),
    ...spec.json(c),
    attention_dropout: 0,
    tie_word_embeddings: c.tieWordEmbeddings,
    initializer_range: c.initializerRange,
    num_labels: c.numLabels,
    pad_token_id: c.padTokenId,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    dtype: 'float32',
  };
}
