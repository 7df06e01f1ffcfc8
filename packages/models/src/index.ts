// The browser-safe entry: nothing here reaches a `node:` module (checkpoint, tokenizer and data files
// on disk are `@peftjs/models/node`, src/node.ts).
export { CheckpointError } from './checkpoint-error';
export { SUPPORTED_ARCHITECTURES, SUPPORTED_MODEL_TYPES, defaultLoraTargets } from './architectures';
export type { PretrainedModel } from './architectures';
export { ModelConfigError } from './config-fields';
export type { JsonObject } from './config-fields';
export { CausalLanguageModel } from './causal-lm';
export type { ModelInputs } from './model-inputs';
export { Gpt2LMHeadModel, Gpt2Model } from './gpt2-model';
export type { ModelOptions } from './gpt2-model';
export { Gpt2Attention, Gpt2Mlp, Gpt2Block } from './gpt2-layers';
export { Gpt2ForSequenceClassification, lastTokenIndices } from './gpt2-sequence-classification';
export type { SequenceClassificationBatch } from './gpt2-sequence-classification';
export { gpt2Config, parseGpt2Config, gpt2ConfigToJson } from './gpt2-config';
export type { Gpt2Config, Gpt2ConfigInput } from './gpt2-config';
export { LlamaForCausalLM, LlamaModel, DECODER_ARCHITECTURES } from './llama-model';
export { LlamaAttention, LlamaMlp, LlamaDecoderLayer } from './llama-layers';
export type { LlamaLayerContext } from './llama-layers';
export { OffsetRMSNorm } from './offset-rms-norm';
export { llamaConfig, parseLlamaConfig, llamaConfigToJson } from './llama-config';
export type { LlamaConfig, LlamaConfigInput } from './llama-config';
export type { DecoderConfig, DecoderModelType } from './decoder-config';
export { parseMistralConfig, mistralConfigToJson } from './mistral-config';
export { parseQwen2Config, parseQwen3Config, qwenConfigToJson } from './qwen-config';
export { parseGemma3TextConfig, gemma3TextConfigToJson } from './gemma3-config';
export { parseRope, SUPPORTED_ROPE_TYPES } from './rope-config';
export type { RopeScaling, RopeConfig, RopeByKind, AttentionKind } from './rope-config';
export { ropeFrequencies } from './rope';
export type { RopeFrequencies } from './rope';
export { MlpClassifier, mlpConfig, parseMlpConfig, mlpConfigToJson } from './mlp-classifier';
export type { MlpConfig } from './mlp-classifier';
export {
  DecisionTransformerModel,
  DecisionTransformerGpt2Model,
  decisionTransformerBatch,
} from './decision-transformer';
export type { DecisionTransformerBatch, TrajectoryWindows } from './decision-transformer';
export {
  decisionTransformerConfig,
  parseDecisionTransformerConfig,
  decisionTransformerConfigToJson,
} from './decision-transformer-config';
export type { DecisionTransformerConfig, DecisionTransformerConfigInput } from './decision-transformer-config';
export { TiedLinear } from './tied-linear';
export { ACTIVATIONS, geluTanh, silu } from './activations';
export type { Activation } from './activations';
export { attentionBias, positionIds } from './attention';
export { causalLmLoss, defaultLabels, IGNORE_INDEX } from './lm-loss';
export { ByteTokenizer, BYTE_TOKENIZER_FIELD } from './byte-tokenizer';
export { Gpt2BpeTokenizer } from './gpt2-bpe-tokenizer';
export type { Tokenizer } from './tokenizer';
export { HfTokenizer } from './hf-tokenizer';
export type { HfEncodeOptions, HfDecodeOptions } from './hf-tokenizer';
export { lmBatches, LmBatches } from './lm-batches';
export type { LmBatchOptions } from './lm-batches';
export { featureBatches, FeatureBatches } from './feature-batches';
export type { FeatureDataset } from './feature-batches';
export { textClassificationBatches, TextClassificationBatches } from './text-classification-batches';
export type { TextClassificationOptions } from './text-classification-batches';
export type { StreamOptions } from './epoch-order';
export { padTokenBatch } from './pad-batch';
export { ChatTemplate } from './chat-template';
export type { ChatMessage, ChatTemplateSources } from './chat-template';
export { parseDataset, detectDataFormat, DATA_FORMATS } from './data-formats';
export type { DataFormat, DataRecord, ParsedDataset, ParseDatasetOptions } from './data-formats';
export { tokenizeDataset } from './tokenize-dataset';
export type { TokenizedExample, TokenizedDataset, TokenizeDatasetOptions } from './tokenize-dataset';
export { prepareDataset } from './prepare-dataset';
export type { PrepareDatasetOptions, PreparedDataset } from './prepare-dataset';
export { exampleBatches, ExampleBatches } from './example-batches';
export { KvCache } from './kv-cache';
export type { KvCacheLayer, KvCacheStep } from './kv-cache';
export { generate } from './generate';
export type { GenerateOptions, GenerateResult } from './generate';
export { sampleNextToken } from './sampling';
export type { SamplingOptions } from './sampling';
export type { ExampleBatchOptions } from './example-batches';
export type { PadOptions } from './pad-batch';
export {
  loadSotu,
  loadMobyDick,
  loadSpamAssassin,
  joinTexts,
  SOTU_VALIDATION_EVERY,
  MOBY_DICK_VALIDATION_EVERY,
  SPAM_ASSASSIN_VALIDATION_EVERY,
} from './text-datasets';
export type { Split, SotuSpeech, MobyDickChapter, SpamAssassinMessage } from './text-datasets';
export { MissingDependencyError } from './optional-dependency';
