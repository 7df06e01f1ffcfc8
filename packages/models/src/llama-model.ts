import * as tf from '@tensorflow/tfjs';
import { Embedding, Linear, Module, ModuleList, RMSNorm, Rng, type Parameter } from '@peftjs/core';
import { attentionBias, positionIds } from './attention';
import { CausalLanguageModel } from './causal-lm';
import type { ModelOptions } from './gpt2-model';
import { fillConstant, fillNormal } from './init';
import type { LlamaConfig } from './llama-config';
import { LlamaDecoderLayer } from './llama-layers';
import { batchShape, type ModelInputs } from './model-inputs';
import { ropeInverseFrequencies, ropeTables } from './rope';
import { TiedLinear } from './tied-linear';

/** The Llama trunk (HF `LlamaModel`, path `model`): `embed_tokens`, `layers.N`, final `norm`. */
export class LlamaModel extends Module<[ModelInputs], tf.Tensor> {
  private readonly invFreq: Float64Array;

  constructor(readonly config: LlamaConfig, options: ModelOptions = {}) {
    super();
    const rng = new Rng(options.seed ?? 0);
    this.registerModule('embed_tokens', new Embedding(config.vocabSize, config.hiddenSize, { rng, std: config.initializerRange }));
    const layers = new ModuleList<LlamaDecoderLayer>();
    for (let i = 0; i < config.numHiddenLayers; i++) layers.append(new LlamaDecoderLayer(config, rng));
    this.registerModule('layers', layers);
    this.registerModule('norm', new RMSNorm(config.hiddenSize, { eps: config.rmsNormEps }));
    this.invFreq = ropeInverseFrequencies(config.headDim, config.ropeTheta, config.ropeScaling);
    // HF `LlamaPreTrainedModel._init_weights`: N(0, initializer_range) weights, zero biases.
    for (const [name, p] of this.namedParameters()) {
      if (/_proj\.weight$/.test(name)) fillNormal(p, config.initializerRange, rng);
      else if (/_proj\.bias$/.test(name)) fillConstant(p, 0);
    }
  }

  forward(batch: ModelInputs): tf.Tensor {
    const [b, t] = batchShape(batch, 'Llama');
    return tf.tidy(() => {
      const positions = batch.positionIds ?? positionIds(b, t, batch.attentionMask);
      const { cos, sin } = ropeTables(positions, this.invFreq);
      const ctx = { bias: attentionBias(b, t, batch.attentionMask), cos, sin };
      let h = this.child('embed_tokens').call(batch.inputIds);
      for (const layer of this.child<ModuleList<LlamaDecoderLayer>>('layers')) h = layer.call(h, ctx);
      return this.child('norm').call(h);
    });
  }
}

/** Llama with its language-model head (HF `LlamaForCausalLM`); `lm_head` is tied to `model.embed_tokens` when `tie_word_embeddings`. */
export class LlamaForCausalLM extends CausalLanguageModel {
  readonly architecture = 'LlamaForCausalLM';

  constructor(readonly config: LlamaConfig, options: ModelOptions = {}) {
    super();
    this.registerModule('model', new LlamaModel(config, options));
    if (config.tieWordEmbeddings) {
      this.registerModule('lm_head', new TiedLinear(() => this.child('model').child('embed_tokens').parameter('weight') as Parameter));
    } else {
      const head = new Linear(config.hiddenSize, config.vocabSize, { bias: false });
      fillNormal(head.weight, config.initializerRange, Rng.derive(options.seed ?? 0, 'lm_head'));
      this.registerModule('lm_head', head);
    }
  }

  get vocabSize(): number {
    return this.config.vocabSize;
  }

  forward(batch: ModelInputs): tf.Tensor {
    return tf.tidy(() => this.child('lm_head').call(this.child<LlamaModel>('model').call(batch)));
  }
}
