import * as tf from '@tensorflow/tfjs-core';
import {
  Dropout,
  Embedding,
  LayerNorm,
  Linear,
  Module,
  ModuleList,
  PeftjsError,
  Rng,
  type Parameter,
} from '@peftjs/core';
import { attentionBias, positionIds } from './attention';
import { CausalLanguageModel } from './causal-lm';
import type { Gpt2Config } from './gpt2-config';
import { Gpt2Block } from './gpt2-layers';
import { fillConstant, fillNormal } from './init';
import { batchShape, type ModelInputs } from './model-inputs';
import { TiedLinear } from './tied-linear';

/** Options of the model constructors (GPT-2, Llama-like, MLP). */
export interface ModelOptions {
  /** Seed or generator for the initial weights and dropout masks (default 0). */
  seed?: number | string;
}

/**
 * The GPT-2 trunk (HF `GPT2Model`, path `transformer` in the heads): token and learned position
 * embeddings `wte`/`wpe`, blocks `h.N`, final `ln_f`. Returns hidden states `[B, T, n_embd]`.
 */
export class Gpt2Model extends Module<[ModelInputs], tf.Tensor> {
  constructor(
    /** The validated config the model was built from. */
    readonly config: Gpt2Config,
    options: ModelOptions = {},
  ) {
    super();
    const rng = new Rng(options.seed ?? 0);
    this.registerModule('wte', new Embedding(config.vocabSize, config.nEmbd, { rng, std: config.initializerRange }));
    this.registerModule('wpe', new Embedding(config.nPositions, config.nEmbd, { rng, std: config.initializerRange }));
    this.registerModule('drop', new Dropout(config.embdPdrop, Rng.derive(rng.int(2 ** 31), 'embd_dropout')));
    const blocks = new ModuleList<Gpt2Block>();
    for (let i = 0; i < config.nLayer; i++) blocks.append(new Gpt2Block(config, rng));
    this.registerModule('h', blocks);
    this.registerModule('ln_f', new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon }));
    initGpt2(this, config, rng);
  }

  forward(batch: ModelInputs): tf.Tensor {
    const [b, t] = batchShape(batch, 'GPT-2');
    const past = batch.cache?.length ?? 0;
    if (past + t > this.config.nPositions) {
      throw new PeftjsError(
        'E_SEQUENCE_TOO_LONG',
        `GPT-2: sequence length ${past + t} exceeds n_positions ${this.config.nPositions}; truncate or window the input to ${this.config.nPositions} tokens`,
      );
    }
    return tf.tidy(() => {
      const step = batch.cache?.step(b, t, batch.attentionMask);
      const positions = batch.positionIds ?? step?.positionIds() ?? positionIds(b, t, batch.attentionMask);
      const bias = step?.attentionBias(null) ?? attentionBias(b, t, batch.attentionMask);
      let h = tf.add(this.child('wte').call(batch.inputIds), this.child('wpe').call(positions));
      h = this.child('drop').call(h);
      let i = 0;
      for (const block of this.child<ModuleList<Gpt2Block>>('h')) h = block.call(h, bias, step?.layer(i++));
      return this.child('ln_f').call(h);
    });
  }
}

/**
 * GPT-2 with its language-model head (HF `GPT2LMHeadModel`): `[B, T]` ids -> logits `[B, T, vocab]`.
 * `lm_head` is tied to `transformer.wte` unless `tie_word_embeddings` is false, when it is its own
 * `Linear` (`lm_head.weight`, no bias).
 */
export class Gpt2LMHeadModel extends CausalLanguageModel {
  readonly architecture = 'GPT2LMHeadModel';

  constructor(
    /** The validated config the model was built from. */
    readonly config: Gpt2Config,
    options: ModelOptions = {},
  ) {
    super();
    this.registerModule('transformer', new Gpt2Model(config, options));
    if (config.tieWordEmbeddings) {
      this.registerModule(
        'lm_head',
        new TiedLinear(() => this.child('transformer').child('wte').parameter('weight') as Parameter),
      );
    } else {
      const head = new Linear(config.nEmbd, config.vocabSize, { bias: false });
      fillNormal(head.weight, config.initializerRange, Rng.derive(options.seed ?? 0, 'lm_head'));
      this.registerModule('lm_head', head);
    }
  }

  /** `config.vocabSize`: the width `V` of the logits. */
  get vocabSize(): number {
    return this.config.vocabSize;
  }

  forward(batch: ModelInputs): tf.Tensor {
    return tf.tidy(() => this.child('lm_head').call(this.child<Gpt2Model>('transformer').call(batch)));
  }
}

/** Hugging Face's `GPT2PreTrainedModel._init_weights`, with the scaled `c_proj` init of GPT-2. */
function initGpt2(model: Module<[ModelInputs], tf.Tensor>, config: Gpt2Config, rng: Rng): void {
  const std = config.initializerRange;
  for (const [name, p] of model.namedParameters()) {
    if (name.endsWith('c_proj.weight')) fillNormal(p, std / Math.sqrt(2 * config.nLayer), rng);
    else if (/\.c_(attn|fc)\.weight$/.test(name)) fillNormal(p, std, rng);
    else if (/\.(c_attn|c_proj|c_fc)\.bias$/.test(name)) fillConstant(p, 0);
  }
}
