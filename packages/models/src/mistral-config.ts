import { ModelConfigError, type JsonObject } from './config-fields';
import { decoderConfigToJson, parseDecoderConfig, type DecoderConfig, type DecoderFamilySpec } from './decoder-config';

/**
 * Mistral (`MistralConfig` / `modeling_mistral.py`): Llama without biases, optional `head_dim`, and
 * `sliding_window` (HF default 4096; null = full attention) applied to every layer.
 */
const MISTRAL_SPEC: DecoderFamilySpec = {
  modelType: 'mistral',
  label: 'Mistral',
  defaults: {
    vocabSize: 32000,
    hiddenSize: 4096,
    intermediateSize: 14336,
    numHiddenLayers: 32,
    numAttentionHeads: 32,
    numKeyValueHeads: 8,
    headDim: null,
    maxPositionEmbeddings: 4096 * 32,
    rmsNormEps: 1e-6,
    tieWordEmbeddings: false,
    hiddenAct: 'silu',
    rope: { theta: 10000 },
  },
  activationField: 'hidden_act',
  read: (r, { numHiddenLayers, headDim }) => {
    const window = r.raw['sliding_window'] === null ? null : r.positiveInt('sliding_window', 4096);
    return {
      layerTypes: Array.from({ length: numHiddenLayers }, () =>
        window === null ? 'full_attention' : 'sliding_attention',
      ),
      slidingWindow: window,
      qkvBias: false,
      outputBias: false,
      mlpBias: false,
      qkNorm: false,
      normOffset: 0,
      sandwichNorms: false,
      embeddingScale: 1,
      attentionScale: 1 / Math.sqrt(headDim),
      attnLogitSoftcapping: null,
      finalLogitSoftcapping: null,
    };
  },
  json: (c) => ({ sliding_window: c.slidingWindow }),
};

/** Validates a Mistral `config.json` object (transformers 4 or 5 layout). */
export function parseMistralConfig(raw: JsonObject): DecoderConfig {
  return parseDecoderConfig(raw, MISTRAL_SPEC);
}

/** The Hugging Face `config.json` object for a Mistral config. */
export function mistralConfigToJson(c: DecoderConfig, architecture: string): JsonObject {
  if (c.modelType !== 'mistral')
    throw new ModelConfigError(`mistralConfigToJson: expected a mistral config, got ${c.modelType}`);
  return decoderConfigToJson(c, architecture, MISTRAL_SPEC);
}
