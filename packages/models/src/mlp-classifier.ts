import * as tf from '@tensorflow/tfjs-core';
import {
  Linear,
  Module,
  ModuleList,
  PeftjsError,
  Rng,
  classTargets,
  type BatchModel,
  type FeatureBatch,
  type ScoredTargets,
} from '@peftjs/core';
import { getActivation } from './activations';
import { ConfigReader, ModelConfigError, type JsonObject } from './config-fields';
import type { ModelOptions } from './gpt2-model';
import { tokenCrossEntropy } from './lm-loss';

/** An MLP classifier's shape (`config.json` fields `input_size`, `hidden_sizes`, `num_labels`, `hidden_act`). */
export interface MlpConfig {
  /** Always `mlp`. */
  readonly modelType: 'mlp';
  /** Features per input row (`input_size`), e.g. 784 for 28x28 images. */
  readonly inputSize: number;
  /** Widths of the hidden layers in order (`hidden_sizes`); `[]`: a single linear layer. */
  readonly hiddenSizes: readonly number[];
  /** Classes: the width of the logits (`num_labels`). */
  readonly numLabels: number;
  /** Activation between layers (`hidden_act`, default `relu`). */
  readonly hiddenAct: string;
}

/** Builds a validated {@link MlpConfig} from its fields (activation default `relu`); throws as {@link parseMlpConfig}. */
export function mlpConfig(input: Omit<MlpConfig, 'modelType' | 'hiddenAct'> & { hiddenAct?: string }): MlpConfig {
  return parseMlpConfig(mlpConfigToJson({ modelType: 'mlp', hiddenAct: 'relu', ...input }));
}

/**
 * Validates an MLP `config.json` object.
 * @throws ModelConfigError when `input_size` or `num_labels` is not a positive integer, `hidden_sizes`
 *   is not a list of positive integers, or `hidden_act` is not a supported activation.
 */
export function parseMlpConfig(raw: JsonObject): MlpConfig {
  const r = new ConfigReader(raw, 'MLP');
  const hidden = raw['hidden_sizes'] ?? [];
  if (!Array.isArray(hidden) || !hidden.every((h) => Number.isInteger(h) && (h as number) > 0)) {
    throw new ModelConfigError(
      `MLP config field "hidden_sizes" must be a list of positive integers, got ${JSON.stringify(hidden)}`,
    );
  }
  const hiddenAct = r.string('hidden_act', 'relu');
  getActivation(hiddenAct, 'MLP config field "hidden_act"');
  return {
    modelType: 'mlp',
    inputSize: r.positiveInt('input_size'),
    hiddenSizes: hidden as number[],
    numLabels: r.positiveInt('num_labels'),
    hiddenAct,
  };
}

/** The `config.json` object for an MLP config (`architectures: ['MLPClassifier']`, float32). */
export function mlpConfigToJson(c: MlpConfig): JsonObject {
  return {
    architectures: ['MLPClassifier'],
    model_type: 'mlp',
    input_size: c.inputSize,
    hidden_sizes: [...c.hiddenSizes],
    num_labels: c.numLabels,
    hidden_act: c.hiddenAct,
    torch_dtype: 'float32',
  };
}

/**
 * A multilayer perceptron classifier: `layers.0 ... layers.N` are core `Linear` layers (PyTorch
 * layout), with the activation between them and none after the last. `call(batch)` maps
 * `inputs: [B, input_size]` to logits `[B, num_labels]`; `loss(batch)` is the mean cross-entropy
 * against `labels: [B]`.
 */
export class MlpClassifier extends Module<[FeatureBatch], tf.Tensor> implements BatchModel<FeatureBatch> {
  /** The architecture name written to `config.json`. */
  readonly architecture = 'MLPClassifier';
  private readonly act: (x: tf.Tensor) => tf.Tensor;

  constructor(
    /** The validated config the model was built from. */
    readonly config: MlpConfig,
    options: ModelOptions = {},
  ) {
    super();
    this.act = getActivation(config.hiddenAct, 'MLP config field "hidden_act"');
    const rng = new Rng(options.seed ?? 0);
    const sizes = [config.inputSize, ...config.hiddenSizes, config.numLabels];
    const layers = new ModuleList<Linear>();
    for (let i = 0; i + 1 < sizes.length; i++)
      layers.append(new Linear(sizes[i] as number, sizes[i + 1] as number, { rng }));
    this.registerModule('layers', layers);
  }

  forward(batch: FeatureBatch): tf.Tensor {
    const x = batch.inputs;
    if (x.rank !== 2 || x.shape[1] !== this.config.inputSize) {
      throw new Error(`MLPClassifier: inputs must be [batch, ${this.config.inputSize}], got [${x.shape.join(', ')}]`);
    }
    return tf.tidy(() => {
      const layers = this.child<ModuleList<Linear>>('layers');
      let h: tf.Tensor = x;
      for (let i = 0; i < layers.length; i++) {
        h = layers.at(i).call(h);
        if (i + 1 < layers.length) h = this.act(h);
      }
      return h;
    });
  }

  loss(batch: FeatureBatch): tf.Scalar {
    const labels = batch.labels;
    if (labels === undefined) throw new Error('MLPClassifier.loss: the batch has no labels ([B] int32 class ids)');
    const target = Int32Array.from(labels.dataSync());
    const n = this.config.numLabels;
    target.forEach((y, i) => {
      if (y < 0 || y >= n)
        throw new RangeError(`MLPClassifier.loss: labels[${i}] = ${y} is outside [0, ${n}) (num_labels = ${n})`);
    });
    return tf.tidy(() =>
      tokenCrossEntropy(this.call(batch), target, new Float32Array(target.length).fill(1), target.length),
    );
  }

  /** The `[B]` rows {@link loss} averages over: every row, target `labels[b]`. */
  scoredTargets(batch: FeatureBatch): ScoredTargets {
    if (batch.labels === undefined)
      throw new PeftjsError(
        'E_NO_LABELS',
        'MLPClassifier.scoredTargets: the batch has no labels ([B] int32 class ids)',
      );
    return classTargets(batch.labels, this.config.numLabels);
  }
}
