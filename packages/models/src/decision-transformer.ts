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
  type BatchModel,
  type TokenBatch,
} from '@peftjs/core';
import { attentionBias } from './attention';
import { trunkConfig, type DecisionTransformerConfig } from './decision-transformer-config';
import type { Gpt2Config } from './gpt2-config';
import { Gpt2Block } from './gpt2-layers';
import type { ModelOptions } from './gpt2-model';
import { fillConstant, fillNormal } from './init';

/**
 * A batch of trajectory windows for a {@link DecisionTransformerModel}: `K` timesteps per row, each
 * one (return-to-go, state, action) triple. Build it with {@link decisionTransformerBatch}.
 *
 * It is also a `TokenBatch` over the `3K` interleaved tokens the GPT-2 trunk sees, so that
 * activation capture (EVA), token counting and masking see the trunk's positions:
 * `inputIds[b, 3t + j]` is the token's type (0 return-to-go, 1 state, 2 action) and
 * `attentionMask[b, 3t + j]` is timestep `t`'s mask (Hugging Face's `stacked_attention_mask`).
 */
export interface DecisionTransformerBatch extends TokenBatch {
  /** float32 `[B, K, state_dim]`. */
  readonly states: tf.Tensor3D;
  /** float32 `[B, K, act_dim]`: the actions taken (the targets of the loss; the last one is never seen by its own prediction). */
  readonly actions: tf.Tensor3D;
  /** float32 `[B, K, 1]`: the (scaled) return still to collect from each timestep on. */
  readonly returnsToGo: tf.Tensor3D;
  /** int32 `[B, K]`: each timestep's index in its episode, in `[0, max_ep_len)`. */
  readonly timesteps: tf.Tensor2D;
}

/** The trajectory windows {@link decisionTransformerBatch} packs (plain arrays, row-major). */
export interface TrajectoryWindows {
  /** Rows `B`. */
  readonly batchSize: number;
  /** Timesteps `K` per row. */
  readonly length: number;
  /** `[B*K*stateDim]` row-major states. */
  readonly states: ArrayLike<number>;
  /** `[B*K*actDim]` row-major actions taken (the targets of the loss; the action at `t` is predicted from `s_t`, before it is seen). */
  readonly actions: ArrayLike<number>;
  /** `[B*K]` returns-to-go (the return still to collect from each timestep, in the environment's unit). */
  readonly returnsToGo: ArrayLike<number>;
  /** `[B*K]` integer timesteps in `0 .. maxEpLen - 1`, for the timestep embedding. */
  readonly timesteps: ArrayLike<number>;
  /** `[B*K]`, 1 for a real timestep and 0 for padding; default all 1. */
  readonly mask?: ArrayLike<number>;
}

/**
 * Packs trajectory windows into a {@link DecisionTransformerBatch} of fresh tensors (the caller
 * owns them; `disposeBatch` frees them). Sizes are checked against `stateDim`/`actDim`.
 * @throws {@link PeftjsError} `E_BATCH_SHAPE` when an array's length does not match `B*K*dim`.
 */
export function decisionTransformerBatch(
  windows: TrajectoryWindows,
  dims: { readonly stateDim: number; readonly actDim: number },
): DecisionTransformerBatch {
  const { batchSize: b, length: k } = windows;
  const expect = (field: string, data: ArrayLike<number>, size: number): void => {
    if (data.length !== size)
      throw new PeftjsError(
        'E_BATCH_SHAPE',
        `decisionTransformerBatch: ${field} has ${data.length} values but [${b}, ${k}] windows need ${size}`,
      );
  };
  expect('states', windows.states, b * k * dims.stateDim);
  expect('actions', windows.actions, b * k * dims.actDim);
  expect('returnsToGo', windows.returnsToGo, b * k);
  expect('timesteps', windows.timesteps, b * k);
  if (windows.mask !== undefined) expect('mask', windows.mask, b * k);
  const types = new Int32Array(b * 3 * k);
  const tokenMask = new Int32Array(b * 3 * k);
  for (let i = 0; i < b * k; i++) {
    for (let j = 0; j < 3; j++) {
      types[3 * i + j] = j;
      tokenMask[3 * i + j] = windows.mask === undefined ? 1 : (windows.mask[i] as number) !== 0 ? 1 : 0;
    }
  }
  return {
    states: tf.tensor3d(Float32Array.from(windows.states), [b, k, dims.stateDim]),
    actions: tf.tensor3d(Float32Array.from(windows.actions), [b, k, dims.actDim]),
    returnsToGo: tf.tensor3d(Float32Array.from(windows.returnsToGo), [b, k, 1]),
    timesteps: tf.tensor2d(Int32Array.from(windows.timesteps), [b, k], 'int32'),
    inputIds: tf.tensor2d(types, [b, 3 * k], 'int32'),
    ...(windows.mask === undefined ? {} : { attentionMask: tf.tensor2d(tokenMask, [b, 3 * k], 'int32') }),
  };
}

/**
 * The GPT-2 trunk of a Decision Transformer (HF `DecisionTransformerGPT2Model`, path `encoder`):
 * takes input embeddings `[B, T, d]` instead of token ids, adds `wpe` row 0 to every token (HF
 * passes `position_ids` of zeros: order comes from the timestep embeddings), then dropout, the
 * blocks `h.N` and `ln_f`.
 */
export class DecisionTransformerGpt2Model extends Module<[tf.Tensor3D, tf.Tensor4D], tf.Tensor> {
  constructor(config: Gpt2Config, rng: Rng) {
    super();
    this.registerModule('wpe', new Embedding(config.nPositions, config.nEmbd, { rng, std: config.initializerRange }));
    this.registerModule('drop', new Dropout(config.embdPdrop, Rng.derive(rng.int(2 ** 31), 'embd_dropout')));
    const blocks = new ModuleList<Gpt2Block>();
    for (let i = 0; i < config.nLayer; i++) blocks.append(new Gpt2Block(config, rng));
    this.registerModule('h', blocks);
    this.registerModule('ln_f', new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon }));
  }

  /** `inputsEmbeds: [B, T, d]`, `bias: [B|1, 1, T, T]` -> hidden states `[B, T, d]`. */
  forward(inputsEmbeds: tf.Tensor3D, bias: tf.Tensor4D): tf.Tensor {
    return tf.tidy(() => {
      const table = this.child<Embedding>('wpe').weight.value;
      const position = tf.slice(table, [0, 0], [1, table.shape[1] as number]); // [1, d]: row 0
      let h = this.child('drop').call(tf.add(inputsEmbeds, position));
      for (const block of this.child<ModuleList<Gpt2Block>>('h')) h = block.call(h, bias);
      return this.child('ln_f').call(h);
    });
  }
}

/**
 * A Decision Transformer (Chen et al. 2021, arXiv 2106.01345; Hugging Face
 * `DecisionTransformerModel` layout and parameter names): each timestep's return-to-go, state and
 * action are embedded by `embed_return`, `embed_state`, `embed_action` plus a learned
 * `embed_timestep`, interleaved as `(R_1, s_1, a_1, R_2, ...)`, normalised by `embed_ln`, and run
 * through a causal GPT-2 trunk (`encoder.h.N.attn.c_attn` etc., LoRA's targets). The action at
 * timestep `t` is predicted from the output at the state token `s_t` by `predict_action.0` (then
 * tanh when `action_tanh`), so it sees returns, states and actions up to `s_t` and nothing after.
 *
 * `call(batch)` returns predicted actions `[B, K, act_dim]`; `loss(batch)` is their mean squared
 * error against `batch.actions` over real timesteps (the paper's loss for continuous actions).
 * Only the action head is modelled: HF's `predict_state`/`predict_return` heads, unused by that
 * loss, are skipped when a Hugging Face file is loaded.
 */
export class DecisionTransformerModel
  extends Module<[DecisionTransformerBatch], tf.Tensor>
  implements BatchModel<DecisionTransformerBatch>
{
  /** transformers' class name, written to `architectures` in config.json. */
  readonly architecture = 'DecisionTransformerModel';

  constructor(
    /** The validated configuration the model was built from. */
    readonly config: DecisionTransformerConfig,
    options: ModelOptions = {},
  ) {
    super();
    const rng = new Rng(options.seed ?? 0);
    const d = config.hiddenSize;
    const trunk = trunkConfig(config);
    this.registerModule('embed_timestep', new Embedding(config.maxEpLen, d, { rng }));
    this.registerModule('embed_return', new Linear(1, d, { rng }));
    this.registerModule('embed_state', new Linear(config.stateDim, d, { rng }));
    this.registerModule('embed_action', new Linear(config.actDim, d, { rng }));
    this.registerModule('embed_ln', new LayerNorm(d, { eps: config.layerNormEpsilon }));
    this.registerModule('encoder', new DecisionTransformerGpt2Model(trunk, rng));
    this.registerModule('predict_action', new ModuleList([new Linear(d, config.actDim, { rng })]));
    initDecisionTransformer(this, config, rng);
  }

  forward(batch: DecisionTransformerBatch): tf.Tensor {
    const [b, k] = this.checkShapes(batch);
    const d = this.config.hiddenSize;
    return tf.tidy(() => {
      const time = this.child('embed_timestep').call(batch.timesteps); // [B, K, d]
      const r = tf.add(this.child('embed_return').call(batch.returnsToGo), time);
      const s = tf.add(this.child('embed_state').call(batch.states), time);
      const a = tf.add(this.child('embed_action').call(batch.actions), time);
      // [B, K, 3, d] -> [B, 3K, d]: (R_1, s_1, a_1, R_2, s_2, a_2, ...)
      const stacked = tf.reshape(tf.stack([r, s, a], 2), [b, 3 * k, d]) as tf.Tensor3D;
      const bias = attentionBias(b, 3 * k, batch.attentionMask);
      const h = this.child<DecisionTransformerGpt2Model>('encoder').call(
        this.child('embed_ln').call(stacked) as tf.Tensor3D,
        bias,
      );
      // the outputs at the state tokens: [B, 3K, d] -> [B, K, 3, d] -> [B, K, d]
      const atStates = tf.reshape(tf.slice(tf.reshape(h, [b, k, 3, d]), [0, 0, 1, 0], [b, k, 1, d]), [b, k, d]);
      const actions = this.child<ModuleList<Linear>>('predict_action').at(0).call(atStates);
      return this.config.actionTanh ? tf.tanh(actions) : actions;
    });
  }

  /** Mean squared error of the predicted actions over the real timesteps (mask from `attentionMask`) and action dimensions. */
  loss(batch: DecisionTransformerBatch): tf.Scalar {
    return tf.tidy(() => {
      const [b, k] = this.checkShapes(batch);
      const squared = tf.square(tf.sub(this.call(batch), batch.actions)); // [B, K, act_dim]
      if (batch.attentionMask === undefined) return tf.mean(squared) as tf.Scalar;
      const mask = tf.cast(
        tf.reshape(tf.slice(tf.reshape(batch.attentionMask, [b, k, 3]), [0, 0, 1], [b, k, 1]), [b, k, 1]),
        'float32',
      );
      const count = tf.mul(tf.sum(mask), this.config.actDim);
      return tf.div(tf.sum(tf.mul(squared, mask)), tf.maximum(count, 1)) as tf.Scalar;
    });
  }

  private checkShapes(batch: DecisionTransformerBatch): [number, number] {
    const { stateDim, actDim } = this.config;
    const [b, k] = batch.timesteps.shape;
    const expected: [string, tf.Tensor | undefined, number[]][] = [
      ['states', batch.states, [b, k, stateDim]],
      ['actions', batch.actions, [b, k, actDim]],
      ['returnsToGo', batch.returnsToGo, [b, k, 1]],
      ['inputIds', batch.inputIds, [b, 3 * k]],
      ['attentionMask', batch.attentionMask, [b, 3 * k]],
    ];
    for (const [field, tensor, shape] of expected) {
      if (tensor !== undefined && (tensor.rank !== shape.length || tensor.shape.some((n, i) => n !== shape[i])))
        throw new PeftjsError(
          'E_BATCH_SHAPE',
          `DecisionTransformer: ${field} has shape [${tensor.shape.join(', ')}] but timesteps [${b}, ${k}] and this config need [${shape.join(', ')}]; build batches with decisionTransformerBatch`,
        );
    }
    if (k === 0) throw new PeftjsError('E_BATCH_SHAPE', 'DecisionTransformer: the batch has no timesteps (K = 0)');
    return [b, k];
  }
}

/**
 * Hugging Face's `_init_weights` for the Decision Transformer and its GPT-2 trunk: every Linear
 * and Embedding N(0, initializer_range), biases 0, the blocks' `c_proj` with GPT-2's scaled std.
 */
function initDecisionTransformer(model: DecisionTransformerModel, config: DecisionTransformerConfig, rng: Rng): void {
  const std = config.initializerRange;
  for (const [name, p] of model.namedParameters()) {
    if (/(^|\.)(embed_ln|ln_\d|ln_f)\./.test(name)) continue; // LayerNorms keep ones and zeros
    if (name.endsWith('.bias')) fillConstant(p, 0);
    else if (name.endsWith('c_proj.weight')) fillNormal(p, std / Math.sqrt(2 * config.nLayer), rng);
    else fillNormal(p, std, rng);
  }
}
