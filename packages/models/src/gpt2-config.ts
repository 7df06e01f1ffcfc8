import { ACTIVATIONS } from './activations';
import { ConfigReader, ModelConfigError, rejectPrunedHeads, type JsonObject } from './config-fields';

/** The fields of a Hugging Face GPT-2 `config.json` this implementation models (HF names in comments). */
export interface Gpt2Config {
  /** Always `gpt2`. */
  readonly modelType: 'gpt2';
  /** Token vocabulary size `V` (`vocab_size`, default 50257). */
  readonly vocabSize: number; // vocab_size
  /** Context length: rows of the position table `wpe` (`n_positions`, default 1024). */
  readonly nPositions: number; // n_positions
  /** Model width `d` (`n_embd`, default 768). */
  readonly nEmbd: number; // n_embd
  /** Transformer blocks (`n_layer`, default 12). */
  readonly nLayer: number; // n_layer
  /** Attention heads; divides `nEmbd` (`n_head`, default 12). */
  readonly nHead: number; // n_head
  /** MLP inner width (`n_inner`, default `4 * nEmbd`). */
  readonly nInner: number; // n_inner ?? 4 * n_embd
  /** MLP activation (`activation_function`, default `gelu_new`, the tanh approximation). */
  readonly activationFunction: string; // activation_function
  /** Dropout on the attention output and MLP output (`resid_pdrop`, default 0.1). */
  readonly residPdrop: number;
  /** Dropout on the summed token and position embeddings (`embd_pdrop`, default 0.1). */
  readonly embdPdrop: number;
  /** Dropout on the attention probabilities (`attn_pdrop`, default 0.1). */
  readonly attnPdrop: number;
  /** Epsilon of every LayerNorm (`layer_norm_epsilon`, default 1e-5). */
  readonly layerNormEpsilon: number;
  /** Std of the normal weight init (`initializer_range`, default 0.02). */
  readonly initializerRange: number;
  /** `lm_head` shares `transformer.wte.weight` (HF default true); false: its own `lm_head.weight`. */
  readonly tieWordEmbeddings: boolean; // tie_word_embeddings
  /** GPT2ForSequenceClassification only. */
  readonly numLabels: number; // num_labels (or id2label's size)
  /** `pad_token_id`, or null. */
  readonly padTokenId: number | null;
  /** `bos_token_id`, or null (HF's GPT-2 configs say 50256). */
  readonly bosTokenId: number | null;
  /** `eos_token_id` (the first when the config lists several), or null. */
  readonly eosTokenId: number | null;
}

/** What {@link gpt2Config} takes: the four sizes, and optionally any other {@link Gpt2Config} field. */
export type Gpt2ConfigInput = Partial<Omit<Gpt2Config, 'modelType'>> &
  Pick<Gpt2Config, 'vocabSize' | 'nEmbd' | 'nLayer' | 'nHead'>;

/** Builds a validated GPT-2 config with Hugging Face's defaults for omitted fields. */
export function gpt2Config(input: Gpt2ConfigInput): Gpt2Config {
  return parseGpt2Config({
    model_type: 'gpt2',
    vocab_size: input.vocabSize,
    n_positions: input.nPositions ?? 1024,
    n_embd: input.nEmbd,
    n_layer: input.nLayer,
    n_head: input.nHead,
    n_inner: input.nInner ?? null,
    activation_function: input.activationFunction ?? 'gelu_new',
    resid_pdrop: input.residPdrop ?? 0.1,
    embd_pdrop: input.embdPdrop ?? 0.1,
    attn_pdrop: input.attnPdrop ?? 0.1,
    layer_norm_epsilon: input.layerNormEpsilon ?? 1e-5,
    initializer_range: input.initializerRange ?? 0.02,
    tie_word_embeddings: input.tieWordEmbeddings ?? true,
    num_labels: input.numLabels ?? 2,
    pad_token_id: input.padTokenId ?? null,
    bos_token_id: input.bosTokenId ?? null,
    eos_token_id: input.eosTokenId ?? null,
  });
}

/** Validates a GPT-2 `config.json` object (Hugging Face field names). */
export function parseGpt2Config(raw: JsonObject): Gpt2Config {
  const r = new ConfigReader(raw, 'GPT-2');
  const nEmbd = r.positiveInt('n_embd', 768);
  const nHead = r.positiveInt('n_head', 12);
  if (nEmbd % nHead !== 0) {
    throw new ModelConfigError(`GPT-2 config: n_embd (${nEmbd}) must be divisible by n_head (${nHead})`);
  }
  r.requireDefault('scale_attn_weights', true, 'unscaled attention is not implemented');
  r.requireDefault('scale_attn_by_inverse_layer_idx', false, 'not implemented');
  r.requireDefault('reorder_and_upcast_attn', false, 'not implemented');
  r.requireDefault('add_cross_attention', false, 'cross-attention is not implemented');
  const q = raw['quantization_config'];
  if (q !== undefined && q !== null)
    throw new ModelConfigError(
      'GPT-2 config field "quantization_config" is set; quantized checkpoints are not implemented, use an unquantized checkpoint',
    );
  for (const field of ['dtype', 'torch_dtype']) {
    const v = raw[field];
    if (v !== undefined && v !== null && !['float32', 'float16', 'bfloat16', 'auto'].includes(v as string)) {
      throw new ModelConfigError(
        `GPT-2 config field "${field}" is ${JSON.stringify(v)}; supported: float32, float16, bfloat16, auto (weights are computed in float32)`,
      );
    }
  }
  rejectPrunedHeads(r);
  const activationFunction = r.string('activation_function', 'gelu_new');
  if (!(activationFunction in ACTIVATIONS)) {
    throw new ModelConfigError(
      `GPT-2 config field "activation_function" is "${activationFunction}": activation "${activationFunction}" is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  }
  return {
    modelType: 'gpt2',
    vocabSize: r.positiveInt('vocab_size', 50257),
    nPositions: r.positiveInt('n_positions', 1024),
    nEmbd,
    nLayer: r.positiveInt('n_layer', 12),
    nHead,
    nInner: r.optionalPositiveInt('n_inner') ?? 4 * nEmbd,
    activationFunction,
    residPdrop: r.probability('resid_pdrop', 0.1),
    embdPdrop: r.probability('embd_pdrop', 0.1),
    attnPdrop: r.probability('attn_pdrop', 0.1),
    layerNormEpsilon: r.number('layer_norm_epsilon', 1e-5, (v) => v > 0, 'a positive number'),
    initializerRange: r.number('initializer_range', 0.02, (v) => v >= 0, 'a non-negative number'),
    tieWordEmbeddings: r.boolean('tie_word_embeddings', true),
    numLabels: numLabels(r),
    padTokenId: optionalId(r, 'pad_token_id'),
    bosTokenId: optionalId(r, 'bos_token_id'),
    eosTokenId: optionalId(r, 'eos_token_id'),
  };
}

/** The Hugging Face `config.json` object for a GPT-2 config. */
export function gpt2ConfigToJson(c: Gpt2Config, architecture: string): JsonObject {
  return {
    architectures: [architecture],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.nPositions,
    n_ctx: c.nPositions,
    n_embd: c.nEmbd,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: c.nInner === 4 * c.nEmbd ? null : c.nInner,
    activation_function: c.activationFunction,
    resid_pdrop: c.residPdrop,
    embd_pdrop: c.embdPdrop,
    attn_pdrop: c.attnPdrop,
    layer_norm_epsilon: c.layerNormEpsilon,
    initializer_range: c.initializerRange,
    scale_attn_weights: true,
    tie_word_embeddings: c.tieWordEmbeddings,
    num_labels: c.numLabels,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenId,
    pad_token_id: c.padTokenId,
    torch_dtype: 'float32',
  };
}

export function numLabels(r: ConfigReader): number {
  const id2label = r.raw['id2label'];
  if (r.raw['num_labels'] === undefined && typeof id2label === 'object' && id2label !== null) {
    return Math.max(1, Object.keys(id2label).length);
  }
  return r.positiveInt('num_labels', 2);
}

export function optionalId(r: ConfigReader, field: string): number | null {
  const v = r.raw[field];
  if (v === undefined || v === null) return null;
  // Some configs list several ids (eos_token_id: [128001, 128009]); the first is used.
  const first = Array.isArray(v) ? v[0] : v;
  if (typeof first !== 'number' || !Number.isInteger(first) || first < 0) {
    throw new ModelConfigError(
      `${r.label} config field "${field}" must be a non-negative integer, got ${JSON.stringify(v)}`,
    );
  }
  return first;
}
