import * as tf from '@tensorflow/tfjs-core';
import { Embedding, Linear, Module, ModuleList, Rng, type Parameter } from '@peftjs/core';
import { attentionBias, positionIds } from './attention';
import { CausalLanguageModel } from './causal-lm';
import type { DecoderConfig } from './decoder-config';
import type { ModelOptions } from './gpt2-model';
import { fillConstant, fillNormal } from './init';
import { decoderNorm, LlamaDecoderLayer, type LlamaLayerContext } from './llama-layers';
import { batchShape, type ModelInputs } from './model-inputs';
import { ropeTables } from './rope';
import type { AttentionKind } from './rope-config';
import { TiedLinear } from './tied-linear';

/** The Hugging Face causal-LM class name of each Llama-like family. */
export const DECODER_ARCHITECTURES: Readonly<Record<DecoderConfig['modelType'], string>> = {
  llama: 'LlamaForCausalLM',
  mistral: 'MistralForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  qwen3: 'Qwen3ForCausalLM',
  gemma3_text: 'Gemma3ForCausalLM',
};

/**
 * The trunk of the Llama-like families (HF `LlamaModel`, `MistralModel`, `Qwen2Model`,
 * `Qwen3Model`, `Gemma3TextModel`; path `model`): `embed_tokens` (times `embeddingScale`),
 * `layers.N`, final `norm`. `[B, T]` ids -> `[B, T, hidden]` float32.
 */
export class LlamaModel extends Module<[ModelInputs], tf.Tensor> {
  constructor(
    /** The validated config the model was built from. */
    readonly config: DecoderConfig,
    options: ModelOptions = {},
  ) {
    super();
    const rng = new Rng(options.seed ?? 0);
    this.registerModule(
      'embed_tokens',
      new Embedding(config.vocabSize, config.hiddenSize, { rng, std: config.initializerRange }),
    );
    const layers = new ModuleList<LlamaDecoderLayer>();
    for (let i = 0; i < config.numHiddenLayers; i++) layers.append(new LlamaDecoderLayer(config, rng));
    this.registerModule('layers', layers);
    this.registerModule('norm', decoderNorm(config, config.hiddenSize));
    // HF `_init_weights`: N(0, initializer_range) weights, zero biases.
    for (const [name, p] of this.namedParameters()) {
      if (/_proj\.weight$/.test(name)) fillNormal(p, config.initializerRange, rng);
      else if (/_proj\.bias$/.test(name)) fillConstant(p, 0);
    }
  }

  forward(batch: ModelInputs): tf.Tensor {
    const [b, t] = batchShape(batch, this.config.modelType);
    const c = this.config;
    return tf.tidy(() => {
      const step = batch.cache?.step(b, t, batch.attentionMask);
      const positions = batch.positionIds ?? step?.positionIds() ?? positionIds(b, t, batch.attentionMask);
      const contexts = new Map<AttentionKind, LlamaLayerContext>();
      const full = ropeTables(positions, c.headDim, c.rope.full_attention, c.maxPositionEmbeddings);
      const sliding =
        c.rope.sliding_attention === c.rope.full_attention
          ? full
          : ropeTables(positions, c.headDim, c.rope.sliding_attention, c.maxPositionEmbeddings);
      const contextOf = (kind: AttentionKind): LlamaLayerContext => {
        let ctx = contexts.get(kind);
        if (ctx === undefined) {
          const window = kind === 'sliding_attention' ? c.slidingWindow : null;
          ctx = {
            bias: step?.attentionBias(window) ?? attentionBias(b, t, batch.attentionMask, window),
            ...(kind === 'sliding_attention' ? sliding : full),
          };
          contexts.set(kind, ctx);
        }
        return ctx;
      };
      let h = this.child('embed_tokens').call(batch.inputIds);
      if (c.embeddingScale !== 1) h = tf.mul(h, c.embeddingScale);
      let i = 0;
      for (const layer of this.child<ModuleList<LlamaDecoderLayer>>('layers')) {
        h = layer.call(h, contextOf(c.layerTypes[i] ?? 'full_attention'), step?.layer(i));
        i++;
      }
      return this.child('norm').call(h);
    });
  }
}

/**
 * A Llama-like causal LM (HF `LlamaForCausalLM`, `MistralForCausalLM`, `Qwen2ForCausalLM`,
 * `Qwen3ForCausalLM`, `Gemma3ForCausalLM`; `architecture` says which): `[B, T]` ids -> logits
 * `[B, T, vocab]` float32. `lm_head` is tied to `model.embed_tokens` when `tie_word_embeddings`;
 * logits are soft-capped (`cap * tanh(logits / cap)`) when `final_logit_softcapping` is set.
 */
export class LlamaForCausalLM extends CausalLanguageModel {
  readonly architecture: string;

  constructor(
    /** The validated config the model was built from. */
    readonly config: DecoderConfig,
    options: ModelOptions = {},
  ) {
    super();
    this.architecture = DECODER_ARCHITECTURES[config.modelType];
    this.registerModule('model', new LlamaModel(config, options));
    if (config.tieWordEmbeddings) {
      this.registerModule(
        'lm_head',
        new TiedLinear(() => this.child('model').child('embed_tokens').parameter('weight') as Parameter),
      );
    } else {
      const head = new Linear(config.hiddenSize, config.vocabSize, { bias: false });
      fillNormal(head.weight, config.initializerRange, Rng.derive(options.seed ?? 0, 'lm_head'));
      this.registerModule('lm_head', head);
    }
  }

  /** `config.vocabSize`: the width `V` of the logits. */
  get vocabSize(): number {
    return this.config.vocabSize;
  }

  forward(batch: ModelInputs): tf.Tensor {
    return tf.tidy(() => {
      const logits = this.child('lm_head').call(this.child<LlamaModel>('model').call(batch));
      const cap = this.config.finalLogitSoftcapping;
      return cap === null ? logits : tf.mul(tf.tanh(tf.div(logits, cap)), cap);
    });
  }
}
