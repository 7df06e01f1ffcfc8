import type { JsonObject } from './config-fields';
import { decoderConfigToJson, parseDecoderConfig, type DecoderConfig, type DecoderFamilySpec } from './decoder-config';
import type { RopeScaling } from './rope-config';

/** A validated Llama-family config (every Llama-like family shares the shape, see {@link DecoderConfig}). */
export type LlamaConfig = DecoderConfig;

const fullAttention = (layers: number) => Array.from({ length: layers }, () => 'full_attention' as const);

/**
 * Llama (`LlamaConfig` / `modeling_llama.py`): `attention_bias` on q/k/v/o, `mlp_bias`, optional
 * `head_dim`; `pretraining_tp` other than 1 is rejected. No sliding window.
 */
const LLAMA_SPEC: DecoderFamilySpec = {
  modelType: 'llama',
  label: 'Llama',
  defaults: {
    vocabSize: 32000,
    hiddenSize: 4096,
    intermediateSize: 11008,
    numHiddenLayers: 32,
    numAttentionHeads: 32,
    numKeyValueHeads: null,
    headDim: null,
    maxPositionEmbeddings: 2048,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: false,
    hiddenAct: 'silu',
    rope: { theta: 10000 },
  },
  activationField: 'hidden_act',
  read: (r, { numHiddenLayers, headDim }) => {
    r.requireDefault('pretraining_tp', 1, 'tensor-parallel slicing of the MLP is not implemented');
    const attentionBias = r.boolean('attention_bias', false);
    return {
      layerTypes: fullAttention(numHiddenLayers),
      slidingWindow: null,
      qkvBias: attentionBias,
      outputBias: attentionBias,
      mlpBias: r.boolean('mlp_bias', false),
      qkNorm: false,
      normOffset: 0,
      sandwichNorms: false,
      embeddingScale: 1,
      attentionScale: 1 / Math.sqrt(headDim),
      attnLogitSoftcapping: null,
      finalLogitSoftcapping: null,
    };
  },
  json: (c) => ({ attention_bias: c.qkvBias, mlp_bias: c.mlpBias, pretraining_tp: 1 }),
};

/** Validates a Llama `config.json` object (Hugging Face field names, transformers 4 or 5 layout). */
export function parseLlamaConfig(raw: JsonObject): LlamaConfig {
  return parseDecoderConfig(raw, LLAMA_SPEC);
}

/** The Hugging Face `config.json` object (transformers 5 layout) for a Llama config. */
export function llamaConfigToJson(c: LlamaConfig, architecture: string): JsonObject {
  return decoderConfigToJson(c, architecture, LLAMA_SPEC);
}

/** What {@link llamaConfig} takes: the sizes, and optionally anything else (omitted: transformers' `LlamaConfig` defaults). */
export interface LlamaConfigInput {
  /** Token vocabulary size `V` (`vocab_size`). */
  vocabSize: number;
  /** Model width `d` (`hidden_size`). */
  hiddenSize: number;
  /** MLP inner width (`intermediate_size`). */
  intermediateSize: number;
  /** Decoder layers (`num_hidden_layers`). */
  numHiddenLayers: number;
  /** Query heads (`num_attention_heads`). */
  numAttentionHeads: number;
  /** Key/value heads for grouped-query attention (default `numAttentionHeads`). */
  numKeyValueHeads?: number;
  /** Width per head (default `hiddenSize / numAttentionHeads`). */
  headDim?: number;
  /** MLP activation (default `silu`). */
  hiddenAct?: string;
  /** Trained context length (default 2048). */
  maxPositionEmbeddings?: number;
  /** RMSNorm epsilon (default 1e-6). */
  rmsNormEps?: number;
  /** RoPE base `theta` (default 10000). */
  ropeTheta?: number;
  /** RoPE scaling (default none). */
  ropeScaling?: RopeScaling;
  /** Biases on `q_proj`, `k_proj`, `v_proj`, `o_proj` (default false). */
  attentionBias?: boolean;
  /** Biases on the MLP projections (default false). */
  mlpBias?: boolean;
  /** LM head shares the token embeddings (default false). */
  tieWordEmbeddings?: boolean;
  /** Std of the normal weight init (default 0.02). */
  initializerRange?: number;
  /** Classes of a sequence-classification head (default 2). */
  numLabels?: number;
  /** `pad_token_id` (default null). */
  padTokenId?: number | null;
  /** `bos_token_id` (default null). */
  bosTokenId?: number | null;
  /** `eos_token_id` (default null). */
  eosTokenId?: number | null;
}

/** Builds a validated Llama config with Hugging Face's defaults for omitted fields. */
export function llamaConfig(input: LlamaConfigInput): LlamaConfig {
  const { ropeTheta, ropeScaling, ...rest } = input;
  const base = parseLlamaConfig({
    vocab_size: rest.vocabSize,
    hidden_size: rest.hiddenSize,
    intermediate_size: rest.intermediateSize,
    num_hidden_layers: rest.numHiddenLayers,
    num_attention_heads: rest.numAttentionHeads,
    num_key_value_heads: rest.numKeyValueHeads,
    head_dim: rest.headDim,
    hidden_act: rest.hiddenAct,
    max_position_embeddings: rest.maxPositionEmbeddings,
    rms_norm_eps: rest.rmsNormEps,
    attention_bias: rest.attentionBias,
    mlp_bias: rest.mlpBias,
    tie_word_embeddings: rest.tieWordEmbeddings,
    initializer_range: rest.initializerRange,
    num_labels: rest.numLabels,
    pad_token_id: rest.padTokenId,
    bos_token_id: rest.bosTokenId,
    eos_token_id: rest.eosTokenId,
  });
  const rope = {
    theta: ropeTheta ?? base.rope.full_attention.theta,
    scaling: ropeScaling ?? base.rope.full_attention.scaling,
  };
  return { ...base, rope: { full_attention: rope, sliding_attention: rope } };
}
