import type { AnyModule } from '@peftjs/core';
import { ModelConfigError, type JsonObject } from './config-fields';
import { gpt2ConfigToJson, parseGpt2Config } from './gpt2-config';
import { Gpt2LMHeadModel, type ModelOptions } from './gpt2-model';
import { Gpt2ForSequenceClassification } from './gpt2-sequence-classification';
import type { DecoderConfig } from './decoder-config';
import { gemma3TextConfigToJson, parseGemma3TextConfig } from './gemma3-config';
import { llamaConfigToJson, parseLlamaConfig } from './llama-config';
import { LlamaForCausalLM } from './llama-model';
import { mistralConfigToJson, parseMistralConfig } from './mistral-config';
import { parseQwen2Config, parseQwen3Config, qwenConfigToJson } from './qwen-config';
import { MlpClassifier, mlpConfigToJson, parseMlpConfig } from './mlp-classifier';
import { DecisionTransformerModel } from './decision-transformer';
import { decisionTransformerConfigToJson, parseDecisionTransformerConfig } from './decision-transformer-config';

/** Every model `loadPretrained` can return. */
export type PretrainedModel =
  | Gpt2LMHeadModel
  | Gpt2ForSequenceClassification
  | LlamaForCausalLM
  | MlpClassifier
  | DecisionTransformerModel;

/**
 * How one Hugging Face architecture maps to a peftjs module: how to build it from `config.json`,
 * how to write its config back, and how its parameter names and layouts relate to the file's.
 */
export interface Architecture {
  /** The `architectures[0]` value in `config.json` (`GPT2LMHeadModel`). */
  readonly name: string;
  /** The `model_type` value (`gpt2`). */
  readonly modelType: string;
  /** Validates a raw `config.json` into the typed config `build` uses; throws ModelConfigError (`E_CONFIG`). */
  parse(config: JsonObject): object;
  /** Builds the module (randomly initialised) from a raw `config.json`; throws ModelConfigError. */
  build(config: JsonObject, options: ModelOptions): PretrainedModel;
  configJson(model: PretrainedModel): JsonObject;
  /**
   * Prefix of the trunk (`transformer.`, `model.`): checkpoints saved from the bare trunk class
   * (like the original `gpt2` weights) name tensors without it, and are accepted.
   */
  readonly basePrefix: string;
  /** Parameters stored transposed on disk (GPT-2's `Conv1D`: `[in, out]`). */
  isTransposedOnDisk(parameterName: string): boolean;
  /** File tensors that are buffers or tied copies, skipped on load. */
  readonly ignoredKeys: RegExp;
  /** Every parameter name the architecture owns; anything else (an adapter layer) cannot be saved. */
  readonly parameterNames: RegExp;
  /**
   * The output head and the embedding it is tied to when `tie_word_embeddings` is true: a file that
   * also stores the head must store an identical copy (Hugging Face would load either one).
   */
  readonly tiedHead?: { readonly head: string; readonly embedding: string };
  /**
   * The LoRA target modules used when none are given: every projection of the blocks (PEFT's
   * `target_modules="all-linear"` without the head, and the EVA paper's setting); absent for
   * architectures without a language-model trunk.
   */
  readonly defaultLoraTargets?: readonly string[];
}

/** GPT-2's block projections: `attn.c_attn`, `attn.c_proj`, `mlp.c_fc`, `mlp.c_proj`. */
const GPT2_LORA_TARGETS = ['c_attn', 'c_proj', 'c_fc'];
const GPT2_CONV1D = /\.(c_attn|c_proj|c_fc)\.weight$/;
const GPT2_IGNORED = /(^|\.)attn\.(bias|masked_bias)$/;
const GPT2_TRUNK = String.raw`transformer\.((wte|wpe)\.weight|ln_f\.(weight|bias)|h\.\d+\.(ln_1|ln_2|attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.(weight|bias))`;

function gpt2Json(model: PretrainedModel): JsonObject {
  if (!(model instanceof Gpt2LMHeadModel || model instanceof Gpt2ForSequenceClassification))
    throw new TypeError(`expected a GPT-2 model, got ${model.typeName}`);
  return gpt2ConfigToJson(model.config, model.architecture);
}

const DECODER_PARAMETERS =
  /^(model\.(embed_tokens\.weight|norm\.weight|layers\.\d+\.((self_attn\.[qkvo]_proj|mlp\.(gate|up|down)_proj)\.(weight|bias)|self_attn\.[qk]_norm\.weight|(input|post_attention|pre_feedforward|post_feedforward)_layernorm\.weight))|lm_head\.weight)$/;

/** The table entry of a Llama-like family: HF module paths `model.layers.N.self_attn.q_proj` etc. */
function decoderArchitecture(
  name: string,
  modelType: string,
  parse: (raw: JsonObject) => DecoderConfig,
  toJson: (c: DecoderConfig, architecture: string) => JsonObject,
): Architecture {
  return {
    name,
    modelType,
    parse,
    build: (config, options) => new LlamaForCausalLM(parse(config), options),
    configJson: (model) => {
      if (!(model instanceof LlamaForCausalLM) || model.architecture !== name)
        throw new TypeError(`expected a ${name}, got ${model.typeName}`);
      return toJson(model.config, name);
    },
    basePrefix: 'model.',
    isTransposedOnDisk: () => false,
    ignoredKeys: /(^|\.)rotary_emb\.inv_freq$/,
    parameterNames: DECODER_PARAMETERS,
    tiedHead: { head: 'lm_head.weight', embedding: 'model.embed_tokens.weight' },
    defaultLoraTargets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
  };
}

const ARCHITECTURES: readonly Architecture[] = [
  {
    name: 'GPT2LMHeadModel',
    modelType: 'gpt2',
    parse: parseGpt2Config,
    build: (config, options) => new Gpt2LMHeadModel(parseGpt2Config(config), options),
    configJson: gpt2Json,
    basePrefix: 'transformer.',
    isTransposedOnDisk: (name) => GPT2_CONV1D.test(name),
    ignoredKeys: GPT2_IGNORED,
    parameterNames: new RegExp(`^(${GPT2_TRUNK}|lm_head\\.weight)$`),
    tiedHead: { head: 'lm_head.weight', embedding: 'transformer.wte.weight' },
    defaultLoraTargets: GPT2_LORA_TARGETS,
  },
  {
    name: 'GPT2ForSequenceClassification',
    modelType: 'gpt2',
    parse: parseGpt2Config,
    build: (config, options) => new Gpt2ForSequenceClassification(parseGpt2Config(config), options),
    configJson: gpt2Json,
    basePrefix: 'transformer.',
    isTransposedOnDisk: (name) => GPT2_CONV1D.test(name),
    ignoredKeys: GPT2_IGNORED,
    parameterNames: new RegExp(`^(${GPT2_TRUNK}|score\\.weight)$`),
    defaultLoraTargets: GPT2_LORA_TARGETS,
  },
  decoderArchitecture('LlamaForCausalLM', 'llama', parseLlamaConfig, llamaConfigToJson),
  decoderArchitecture('MistralForCausalLM', 'mistral', parseMistralConfig, mistralConfigToJson),
  decoderArchitecture('Qwen2ForCausalLM', 'qwen2', parseQwen2Config, qwenConfigToJson),
  decoderArchitecture('Qwen3ForCausalLM', 'qwen3', parseQwen3Config, qwenConfigToJson),
  decoderArchitecture('Gemma3ForCausalLM', 'gemma3_text', parseGemma3TextConfig, gemma3TextConfigToJson),
  {
    name: 'MLPClassifier',
    modelType: 'mlp',
    parse: parseMlpConfig,
    build: (config, options) => new MlpClassifier(parseMlpConfig(config), options),
    configJson: (model) => {
      if (!(model instanceof MlpClassifier)) throw new TypeError(`expected an MLPClassifier, got ${model.typeName}`);
      return mlpConfigToJson(model.config);
    },
    basePrefix: '',
    isTransposedOnDisk: () => false,
    ignoredKeys: /^$/,
    parameterNames: /^layers\.\d+\.(weight|bias)$/,
  },
  {
    name: 'DecisionTransformerModel',
    modelType: 'decision_transformer',
    parse: parseDecisionTransformerConfig,
    build: (config, options) => new DecisionTransformerModel(parseDecisionTransformerConfig(config), options),
    configJson: (model) => {
      if (!(model instanceof DecisionTransformerModel))
        throw new TypeError(`expected a DecisionTransformerModel, got ${model.typeName}`);
      return decisionTransformerConfigToJson(model.config);
    },
    basePrefix: '',
    // the trunk is GPT-2's, with Conv1D ([in, out]) projections on disk
    isTransposedOnDisk: (name) => GPT2_CONV1D.test(name),
    // HF's unused token table and its state/return heads (this model predicts actions only)
    ignoredKeys: /^(encoder\.wte\.weight|predict_(state|return)\.(weight|bias))$|(^|\.)attn\.(bias|masked_bias)$/,
    parameterNames:
      /^(embed_(timestep|return|state|action|ln)\.(weight|bias)|predict_action\.0\.(weight|bias)|encoder\.(wpe\.weight|ln_f\.(weight|bias)|h\.\d+\.(ln_1|ln_2|attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.(weight|bias)))$/,
    // the trunk's projections only: the embeddings see [B, K] timesteps, not the trunk's 3K tokens
    defaultLoraTargets: GPT2_LORA_TARGETS,
  },
];

/** The architecture names `loadPretrained` supports. */
export const SUPPORTED_ARCHITECTURES: readonly string[] = ARCHITECTURES.map((a) => a.name);
/** The `model_type` values `loadPretrained` supports. */
export const SUPPORTED_MODEL_TYPES: readonly string[] = [...new Set(ARCHITECTURES.map((a) => a.modelType))];

/** Resolves `config.json`'s `model_type` + `architectures` to one supported architecture, or explains why not. */
export function resolveArchitecture(config: JsonObject, where: string): Architecture {
  const modelType = config['model_type'];
  if (typeof modelType !== 'string') {
    throw new ModelConfigError(
      `${where}: "model_type" is missing or not a string; supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    );
  }
  const candidates = ARCHITECTURES.filter((a) => a.modelType === modelType);
  if (candidates.length === 0) {
    throw new ModelConfigError(
      `${where}: model_type "${modelType}" is not supported; supported model types: ${SUPPORTED_MODEL_TYPES.join(', ')}`,
    );
  }
  const listed = config['architectures'];
  if (listed === undefined || listed === null) return candidates[0] as Architecture; // HF's default head for the type
  if (!Array.isArray(listed) || listed.length === 0 || !listed.every((a) => typeof a === 'string')) {
    throw new ModelConfigError(
      `${where}: "architectures" must be a non-empty list of class names, got ${JSON.stringify(listed)}`,
    );
  }
  for (const name of listed as string[]) {
    const found = candidates.find((a) => a.name === name);
    if (found) return found;
    const other = ARCHITECTURES.find((a) => a.name === name);
    if (other) {
      throw new ModelConfigError(
        `${where}: config.json is contradictory: architectures lists "${name}" (a ${other.modelType} model) but model_type is "${modelType}"`,
      );
    }
  }
  throw new ModelConfigError(
    `${where}: architectures ${JSON.stringify(listed)} are not supported for model_type "${modelType}"; supported: ${candidates.map((a) => a.name).join(', ')}`,
  );
}

/** The architecture of a model built by this package. */
export function architectureOf(model: AnyModule): Architecture {
  const name = (model as { architecture?: unknown }).architecture;
  const found = ARCHITECTURES.find((a) => a.name === name);
  if (found === undefined) {
    throw new TypeError(
      `savePretrained: ${model.typeName} is not a model of @peftjs/models; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`,
    );
  }
  return found;
}

/**
 * The LoRA target modules of a model built by this package when none are given (see
 * `Architecture.defaultLoraTargets`): GPT-2 `c_attn, c_proj, c_fc`; the Llama-like families
 * `q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj`. `null` for a model without defaults.
 */
export function defaultLoraTargets(model: AnyModule): readonly string[] | null {
  const name = (model as { architecture?: unknown }).architecture;
  return ARCHITECTURES.find((a) => a.name === name)?.defaultLoraTargets ?? null;
}
