import { ACTIVATIONS } from './activations';
import { ConfigReader, ModelConfigError, rejectPrunedHeads, type JsonObject } from './config-fields';
import { gpt2Config, type Gpt2Config } from './gpt2-config';

/**
 * The fields of a Hugging Face `DecisionTransformerConfig` (`model_type: "decision_transformer"`)
 * this implementation models, HF names in comments. HF's defaults apply to omitted fields.
 */
export interface DecisionTransformerConfig {
  /** `model_type` of config.json: always `decision_transformer`. */
  readonly modelType: 'decision_transformer';
  /** Width of a state vector (`state_dim`). */
  readonly stateDim: number;
  /** Width of an action vector (`act_dim`). */
  readonly actDim: number;
  /** Width of every token embedding: the GPT-2 trunk's `n_embd` (`hidden_size`). */
  readonly hiddenSize: number;
  /** Timesteps `embed_timestep` has rows for: an episode's steps are `0 .. max_ep_len - 1`. */
  readonly maxEpLen: number; // max_ep_len
  /** Squash predicted actions with tanh (actions in [-1, 1]). */
  readonly actionTanh: boolean; // action_tanh
  /** Longest token sequence (3 per timestep) the trunk accepts. */
  readonly nPositions: number; // n_positions
  /** GPT-2 blocks in the trunk (`n_layer`). */
  readonly nLayer: number;
  /** Attention heads per block (`n_head`); divides `hiddenSize`. */
  readonly nHead: number;
  /** Width of each block's MLP (`n_inner`, default `4 * hidden_size`). */
  readonly nInner: number;
  /** The MLP's activation, by transformers' name (`activation_function`, e.g. `relu`, `gelu_new`). */
  readonly activationFunction: string;
  /** Dropout probability on each block's residual outputs (`resid_pdrop`), in training only. */
  readonly residPdrop: number;
  /** Dropout probability on the token embeddings (`embd_pdrop`), in training only. */
  readonly embdPdrop: number;
  /** Dropout probability on the attention weights (`attn_pdrop`), in training only. */
  readonly attnPdrop: number;
  /** Epsilon of every LayerNorm (`layer_norm_epsilon`). */
  readonly layerNormEpsilon: number;
  /** Standard deviation of the normal initialisation of fresh weights (`initializer_range`). */
  readonly initializerRange: number;
}

/** What {@link decisionTransformerConfig} takes: `stateDim` and `actDim`, and any other field to override HF's default. */
export type DecisionTransformerConfigInput = Partial<Omit<DecisionTransformerConfig, 'modelType'>> &
  Pick<DecisionTransformerConfig, 'stateDim' | 'actDim'>;

/** Builds a validated config with Hugging Face's `DecisionTransformerConfig` defaults for omitted fields. */
export function decisionTransformerConfig(input: DecisionTransformerConfigInput): DecisionTransformerConfig {
  return parseDecisionTransformerConfig({
    model_type: 'decision_transformer',
    state_dim: input.stateDim,
    act_dim: input.actDim,
    hidden_size: input.hiddenSize ?? 128,
    max_ep_len: input.maxEpLen ?? 4096,
    action_tanh: input.actionTanh ?? true,
    n_positions: input.nPositions ?? 1024,
    n_layer: input.nLayer ?? 3,
    n_head: input.nHead ?? 1,
    n_inner: input.nInner ?? null,
    activation_function: input.activationFunction ?? 'relu',
    resid_pdrop: input.residPdrop ?? 0.1,
    embd_pdrop: input.embdPdrop ?? 0.1,
    attn_pdrop: input.attnPdrop ?? 0.1,
    layer_norm_epsilon: input.layerNormEpsilon ?? 1e-5,
    initializer_range: input.initializerRange ?? 0.02,
  });
}

/**
 * Validates a Decision Transformer `config.json` object (Hugging Face field names).
 * @throws {@link ModelConfigError} (`E_CONFIG`) naming the field for a missing, malformed or unsupported value.
 */
export function parseDecisionTransformerConfig(raw: JsonObject): DecisionTransformerConfig {
  const r = new ConfigReader(raw, 'Decision Transformer');
  const hiddenSize = r.positiveInt('hidden_size', 128);
  const nHead = r.positiveInt('n_head', 1);
  if (hiddenSize % nHead !== 0)
    throw new ModelConfigError(
      `Decision Transformer config: hidden_size (${hiddenSize}) must be divisible by n_head (${nHead})`,
    );
  r.requireDefault('scale_attn_weights', true, 'unscaled attention is not implemented');
  r.requireDefault('scale_attn_by_inverse_layer_idx', false, 'not implemented');
  r.requireDefault('reorder_and_upcast_attn', false, 'not implemented');
  rejectPrunedHeads(r);
  const activationFunction = r.string('activation_function', 'relu');
  if (!(activationFunction in ACTIVATIONS))
    throw new ModelConfigError(
      `Decision Transformer config field "activation_function" is "${activationFunction}", which is not supported; supported: ${Object.keys(ACTIVATIONS).join(', ')}`,
    );
  return {
    modelType: 'decision_transformer',
    stateDim: r.positiveInt('state_dim'),
    actDim: r.positiveInt('act_dim'),
    hiddenSize,
    maxEpLen: r.positiveInt('max_ep_len', 4096),
    actionTanh: r.boolean('action_tanh', true),
    nPositions: r.positiveInt('n_positions', 1024),
    nLayer: r.positiveInt('n_layer', 3),
    nHead,
    nInner: r.optionalPositiveInt('n_inner') ?? 4 * hiddenSize,
    activationFunction,
    residPdrop: r.probability('resid_pdrop', 0.1),
    embdPdrop: r.probability('embd_pdrop', 0.1),
    attnPdrop: r.probability('attn_pdrop', 0.1),
    layerNormEpsilon: r.number('layer_norm_epsilon', 1e-5, (v) => v > 0, 'a positive number'),
    initializerRange: r.number('initializer_range', 0.02, (v) => v >= 0, 'a non-negative number'),
  };
}

/** The Hugging Face `config.json` object for a Decision Transformer config. */
export function decisionTransformerConfigToJson(c: DecisionTransformerConfig): JsonObject {
  return {
    architectures: ['DecisionTransformerModel'],
    model_type: 'decision_transformer',
    state_dim: c.stateDim,
    act_dim: c.actDim,
    hidden_size: c.hiddenSize,
    max_ep_len: c.maxEpLen,
    action_tanh: c.actionTanh,
    vocab_size: 1,
    n_positions: c.nPositions,
    n_layer: c.nLayer,
    n_head: c.nHead,
    n_inner: c.nInner === 4 * c.hiddenSize ? null : c.nInner,
    activation_function: c.activationFunction,
    resid_pdrop: c.residPdrop,
    embd_pdrop: c.embdPdrop,
    attn_pdrop: c.attnPdrop,
    layer_norm_epsilon: c.layerNormEpsilon,
    initializer_range: c.initializerRange,
    scale_attn_weights: true,
    torch_dtype: 'float32',
  };
}

/** The GPT-2 block settings of the trunk (`encoder.h.N`). */
export function trunkConfig(c: DecisionTransformerConfig): Gpt2Config {
  return gpt2Config({
    vocabSize: 1,
    nPositions: c.nPositions,
    nEmbd: c.hiddenSize,
    nLayer: c.nLayer,
    nHead: c.nHead,
    nInner: c.nInner,
    activationFunction: c.activationFunction,
    residPdrop: c.residPdrop,
    embdPdrop: c.embdPdrop,
    attnPdrop: c.attnPdrop,
    layerNormEpsilon: c.layerNormEpsilon,
    initializerRange: c.initializerRange,
  });
}
