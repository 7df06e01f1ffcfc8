import { ConfigReader, ModelConfigError, type JsonObject } from './config-fields';
import { numLabels, optionalId } from './gpt2-config';

/** RoPE frequency scaling (`config.rope_scaling`); `default` is plain RoPE. */
export type RopeScaling =
  | { readonly kind: 'default' }
  | { readonly kind: 'linear'; readonly factor: number }
  | { readonly kind: 'llama3'; readonly factor: number; readonly lowFreqFactor: number; readonly highFreqFactor: number; readonly originalMaxPositionEmbeddings: number };

/** The fields of a Hugging Face Llama `config.json` this implementation models. */
export interface LlamaConfig {
  readonly modelType: 'llama';
  readonly vocabSize: number; // vocab_size
  readonly hiddenSize: number; // hidden_size
  readonly intermediateSize: number; // intermediate_size
  readonly numHiddenLayers: number; // num_hidden_layers
  readonly numAttentionHeads: number; // num_attention_heads
  readonly numKeyValueHeads: number; // num_key_value_heads ?? num_attention_heads
  readonly headDim: number; // head_dim ?? hidden_size / num_attention_heads
  readonly hiddenAct: string; // hidden_act
  readonly maxPositionEmbeddings: number;
  readonly rmsNormEps: number;
  readonly ropeTheta: number;
  readonly ropeScaling: RopeScaling;
  readonly attentionBias: boolean;
  readonly mlpBias: boolean;
  readonly tieWordEmbeddings: boolean;
  readonly initializerRange: number;
  readonly numLabels: number;
  readonly padTokenId: number | null;
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
}

export type LlamaConfigInput = Partial<Omit<LlamaConfig, 'modelType'>> &
  Pick<LlamaConfig, 'vocabSize' | 'hiddenSize' | 'intermediateSize' | 'numHiddenLayers' | 'numAttentionHeads'>;

/** Builds a validated Llama config with Hugging Face's defaults for omitted fields. */
export function llamaConfig(input: LlamaConfigInput): LlamaConfig {
  return parseLlamaConfig(llamaConfigToJson({
    numKeyValueHeads: input.numAttentionHeads,
    headDim: input.hiddenSize / input.numAttentionHeads,
    hiddenAct: 'silu',
    maxPositionEmbeddings: 2048,
    rmsNormEps: 1e-6,
    ropeTheta: 10000,
    ropeScaling: { kind: 'default' },
    attentionBias: false,
    mlpBias: false,
    tieWordEmbeddings: false,
    initializerRange: 0.02,
    numLabels: 2,
    padTokenId: null,
    bosTokenId: null,
    eosTokenId: null,
    ...input,
    modelType: 'llama',
  }, 'LlamaForCausalLM'));
}

/** Validates a Llama `config.json` object (Hugging Face field names). */
export function parseLlamaConfig(raw: JsonObject): LlamaConfig {
  const r = new ConfigReader(raw, 'Llama');
  const hiddenSize = r.positiveInt('hidden_size', 4096);
  const heads = r.positiveInt('num_attention_heads', 32);
  const kvHeads = r.positiveInt('num_key_value_heads', heads);
  if (heads % kvHeads !== 0) {
    throw new ModelConfigError(`Llama config: num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kvHeads})`);
  }
  const explicitHeadDim = r.optionalPositiveInt('head_dim');
  if (explicitHeadDim === null && hiddenSize % heads !== 0) {
    throw new ModelConfigError(`Llama config: hidden_size (${hiddenSize}) must be divisible by num_attention_heads (${heads}) when head_dim is not given`);
  }
  const headDim = explicitHeadDim ?? hiddenSize / heads;
  if (headDim % 2 !== 0) throw new ModelConfigError(`Llama config: the head dimension (${headDim}) must be even for rotary embeddings`);
  r.requireDefault('pretraining_tp', 1, 'tensor-parallel slicing of the MLP is not implemented');
  return {
    modelType: 'llama',
    vocabSize: r.positiveInt('vocab_size', 32000),
    hiddenSize,
    intermediateSize: r.positiveInt('intermediate_size', 11008),
    numHiddenLayers: r.positiveInt('num_hidden_layers', 32),
    numAttentionHeads: heads,
    numKeyValueHeads: kvHeads,
    headDim,
    hiddenAct: r.string('hidden_act', 'silu'),
    maxPositionEmbeddings: r.positiveInt('max_position_embeddings', 2048),
    rmsNormEps: r.number('rms_norm_eps', 1e-6, (v) => v > 0, 'a positive number'),
    ropeTheta: r.number('rope_theta', 10000, (v) => v > 0, 'a positive number'),
    ropeScaling: parseRopeScaling(raw['rope_scaling']),
    attentionBias: r.boolean('attention_bias', false),
    mlpBias: r.boolean('mlp_bias', false),
    tieWordEmbeddings: r.boolean('tie_word_embeddings', false),
    initializerRange: r.number('initializer_range', 0.02, (v) => v >= 0, 'a non-negative number'),
    numLabels: numLabels(r),
    padTokenId: optionalId(r, 'pad_token_id'),
    bosTokenId: optionalId(r, 'bos_token_id'),
    eosTokenId: optionalId(r, 'eos_token_id'),
  };
}

function parseRopeScaling(value: unknown): RopeScaling {
  if (value === undefined || value === null) return { kind: 'default' };
  if (typeof value !== 'object' || Array.isArray(value)) throw new ModelConfigError(`Llama config field "rope_scaling" must be an object or null, got ${JSON.stringify(value)}`);
  const r = new ConfigReader(value as JsonObject, 'Llama rope_scaling');
  const kind = r.string('rope_type', r.string('type', 'default'));
  if (kind === 'default') return { kind: 'default' };
  const factor = r.number('factor', NaN, (v) => v > 0, 'a positive number');
  if (kind === 'linear') return { kind: 'linear', factor };
  if (kind === 'llama3') {
    return {
      kind: 'llama3',
      factor,
      lowFreqFactor: r.number('low_freq_factor', NaN, (v) => v > 0, 'a positive number'),
      highFreqFactor: r.number('high_freq_factor', NaN, (v) => v > 0, 'a positive number'),
      originalMaxPositionEmbeddings: r.positiveInt('original_max_position_embeddings'),
    };
  }
  throw new ModelConfigError(`Llama config: rope_scaling type "${kind}" is not supported; supported: default, linear, llama3`);
}

/** The Hugging Face `config.json` object for a Llama config. */
export function llamaConfigToJson(c: LlamaConfig, architecture: string): JsonObject {
  const scaling = c.ropeScaling;
  return {
    architectures: [architecture],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numHiddenLayers,
    num_attention_heads: c.numAttentionHeads,
    num_key_value_heads: c.numKeyValueHeads,
    head_dim: c.headDim,
    hidden_act: c.hiddenAct,
    max_position_embeddings: c.maxPositionEmbeddings,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling:
      scaling.kind === 'default'
        ? null
        : scaling.kind === 'linear'
          ? { rope_type: 'linear', factor: scaling.factor }
          : {
              rope_type: 'llama3',
              factor: scaling.factor,
              low_freq_factor: scaling.lowFreqFactor,
              high_freq_factor: scaling.highFreqFactor,
              original_max_position_embeddings: scaling.originalMaxPositionEmbeddings,
            },
    attention_bias: c.attentionBias,
    mlp_bias: c.mlpBias,
    tie_word_embeddings: c.tieWordEmbeddings,
    initializer_range: c.initializerRange,
    num_labels: c.numLabels,
    pad_token_id: c.padTokenId,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    pretraining_tp: 1,
    torch_dtype: 'float32',
  };
}
