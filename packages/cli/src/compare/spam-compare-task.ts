import * as tf from '@tensorflow/tfjs-core';
import { softmaxCrossEntropy, type AnyModule } from '@peftjs/core';
import { applyEva, computeEvaState, evaRanks } from '@peftjs/eva';
import { injectAdapters } from '@peftjs/lora';
import {
  ByteTokenizer,
  Gpt2ForSequenceClassification,
  Gpt2LMHeadModel,
  loadSpamAssassin,
  textClassificationBatches,
  type SequenceClassificationBatch,
} from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';
import { getRankAllocator } from '@peftjs/rank-allocator';
import {
  AdamW,
  accuracyMetric,
  cosineScheduleWithWarmup,
  f1Metric,
  streamDataSource,
  train,
  type LossContext,
} from '@peftjs/trainer';
import type { CompareTask } from './compare-task';
import { splitSpamAssassin, type SpamSplit } from './spam-data';
import type { LoraRunSettings } from '../lora-run-settings';

export interface SpamTaskSettings extends LoraRunSettings {
  readonly steps: number;
  readonly batchSize: number;
  /** UTF-8 bytes (= tokens) of each message the model reads: its subject and the body's start. */
  readonly maxBytes: number;
  /** Messages in the held-out split (stratified; the rest, deduplicated, is training). */
  readonly heldOutSize: number;
  readonly evalEvery: number;
  readonly evalBatchSize: number;
  /** Seed of the held-out split: fixed for the task, independent of the run seed. */
  readonly splitSeed: string;
}

export const SPAM_TASK_DEFAULTS: SpamTaskSettings = Object.freeze({
  steps: 150,
  batchSize: 16,
  maxBytes: 64,
  heldOutSize: 400,
  evalEvery: 50,
  evalBatchSize: 50,
  r: 8,
  alpha: 16,
  rho: 2,
  tau: 0.99,
  learningRate: 3e-3,
  targets: Object.freeze(['c_attn', 'c_proj', 'c_fc']),
  evaMaxSteps: 40,
  splitSeed: 'spam-assassin-held-out',
});

export const SPAM_TASK_QUICK: SpamTaskSettings = Object.freeze({
  ...SPAM_TASK_DEFAULTS,
  steps: 40,
  heldOutSize: 200,
  evalEvery: 20,
});

const ACCURACY = 'accuracy';
const F1 = 'spam F1';

const splits = new Map<string, Promise<SpamSplit>>();

/** The task's split, loaded and computed once per process for each (maxBytes, heldOutSize, splitSeed). */
function spamSplit(settings: SpamTaskSettings): Promise<SpamSplit> {
  const key = JSON.stringify([settings.maxBytes, settings.heldOutSize, settings.splitSeed]);
  let split = splits.get(key);
  if (split === undefined) {
    split = loadSpamAssassin().then((messages) =>
      splitSpamAssassin(messages, {
        maxBytes: settings.maxBytes,
        heldOutSize: settings.heldOutSize,
        seed: settings.splitSeed,
      }),
    );
    splits.set(key, split);
  }
  return split;
}

/**
 * The bundled byte-level GPT-2 with a fresh two-class head (HF's `GPT2ForSequenceClassification`
 * loaded from a causal-LM checkpoint): the transformer's weights are copied, `score` is drawn
 * from N(0, initializer_range^2) with `seed`, as transformers does for the missing head.
 */
async function pretrainedSpamClassifier(seed: number): Promise<Gpt2ForSequenceClassification> {
  const lm = await loadPretrained(bundledCheckpoint('gpt2-sotu-byte'), { as: Gpt2LMHeadModel });
  try {
    const model = new Gpt2ForSequenceClassification({ ...lm.config, numLabels: 2 }, { seed });
    const source = new Map(lm.child<AnyModule>('transformer').namedParameters());
    for (const [name, parameter] of model.child<AnyModule>('transformer').namedParameters()) {
      const from = source.get(name);
      if (from === undefined) throw new Error(`the bundled GPT-2 has no transformer parameter "${name}"`);
      parameter.assign(from.value);
    }
    return model;
  } finally {
    lm.dispose();
  }
}

/**
 * One forward pass per held-out batch: the evaluation loss, accuracy and F1 all read the same
 * logits (each would otherwise run its own), kept until the next batch; `dispose()` frees the last.
 * Training batches go through `model.loss` as usual.
 */
function sharedLogits() {
  let batch: SequenceClassificationBatch | null = null;
  let logits: tf.Tensor | null = null;
  const of = (model: Gpt2ForSequenceClassification, b: SequenceClassificationBatch): tf.Tensor => {
    if (b !== batch || logits === null) {
      logits?.dispose();
      logits = tf.keep(model.call(b));
      batch = b;
    }
    return logits;
  };
  return {
    logits: of,
    loss: (model: Gpt2ForSequenceClassification, b: SequenceClassificationBatch, context: LossContext): tf.Scalar => {
      if (context.training) return model.loss(b);
      const target = Int32Array.from((b.classLabels as tf.Tensor1D).dataSync());
      return softmaxCrossEntropy(of(model, b), target, new Float32Array(target.length).fill(1), target.length);
    },
    dispose: () => {
      logits?.dispose();
      logits = null;
      batch = null;
    },
  };
}

/** `--task spam` with its default and `--quick` settings. */
export const spamCompareTask: CompareTask = createSpamCompareTask(SPAM_TASK_DEFAULTS, SPAM_TASK_QUICK);

/**
 * `--task spam` (tests build one with tiny settings): SpamAssassin ham vs spam (all five corpora, deduplicated, a fixed stratified
 * held-out split; see `splitSpamAssassin`), each message read as its subject and the start of its
 * body, `maxBytes` bytes. The bundled byte-level GPT-2 (pretrained on State of the Union
 * addresses) gets a fresh classification head pooled at the last real token; LoRA r = 8 goes on
 * c_attn/c_proj/c_fc and the head trains fully (PEFT's `modules_to_save=["score"]` for SEQ_CLS).
 * EVA's statistics come from the training batches' real tokens (padding masked out). Metric:
 * held-out accuracy; secondary: the F1 score of the spam class.
 */
export function createSpamCompareTask(full: SpamTaskSettings, quick: SpamTaskSettings): CompareTask {
  return {
    name: 'spam',
    description: 'sequence classification: GPT-2 (SOTU, byte-level) + head -> SpamAssassin ham/spam',
    metric: { name: 'held-out accuracy', unit: 'fraction correct', higherIsBetter: true },
    secondaryMetrics: [{ name: F1, unit: 'F1 score of the spam class', higherIsBetter: true }],
    defaultLearningRate: (isQuick) => (isQuick ? quick : full).learningRate,
    settings: (isQuick) => ({
      ...(isQuick ? quick : full),
      learningRate: undefined,
      corpora: ['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2'],
      headTrained: 'score',
    }),
    async run(spec, hooks) {
      const settings = spec.quick ? quick : full;
      const method = spec.method;
      const split = await spamSplit(settings);
      const tokenizer = new ByteTokenizer();
      const trainStream = textClassificationBatches(split.train, {
        tokenizer,
        maxLength: settings.maxBytes,
        batchSize: settings.batchSize,
        seed: spec.seed,
        loop: true,
      });
      const heldOut = textClassificationBatches(split.heldOut, {
        tokenizer,
        maxLength: settings.maxBytes,
        batchSize: settings.evalBatchSize,
        shuffle: false,
      });
      const model = await pretrainedSpamClassifier(spec.seed);
      const logits = sharedLogits();
      try {
        model.eval(); // no dropout: runs differ only in their initialisation (and seed)
        const initStarted = performance.now();
        let evaRanksByLayer: Record<string, number> | undefined;
        if (method.kind === 'eva') {
          const state = await computeEvaState(
            model,
            () => trainStream.from(0),
            {
              r: settings.r,
              rho: method.rho ?? settings.rho,
              tau: settings.tau,
              targetModules: settings.targets,
              maxSteps: settings.evaMaxSteps,
              onMaxSteps: 'use-partial',
              seed: spec.seed,
            },
            {
              ...(hooks.onEvaProgress === undefined ? {} : { onProgress: hooks.onEvaProgress }),
              ...(method.allocator === undefined ? {} : { allocator: getRankAllocator(method.allocator) }),
            },
          );
          applyEva(model, state, { alpha: settings.alpha, seed: spec.seed });
          evaRanksByLayer = evaRanks(state);
        } else {
          injectAdapters(model, {
            r: settings.r,
            alpha: settings.alpha,
            targetModules: [...settings.targets],
            init: method.init,
            seed: spec.seed,
          });
        }
        model.getSubmodule('score').unfreeze(); // the new head trains in full
        const initSeconds = (performance.now() - initStarted) / 1000;
        const trainStarted = performance.now();
        const result = await train({
          model,
          data: streamDataSource(trainStream),
          optimizer: new AdamW({ learningRate: spec.learningRate, weightDecay: 0 }),
          schedule: cosineScheduleWithWarmup({
            warmupSteps: Math.max(1, Math.round(settings.steps / 10)),
            totalSteps: settings.steps,
          }),
          maxSteps: settings.steps,
          seed: spec.seed,
          evaluation: {
            data: streamDataSource(heldOut),
            every: settings.evalEvery,
            metrics: [
              accuracyMetric({ name: ACCURACY, logits: logits.logits }),
              f1Metric({ name: F1, positiveLabel: 1, logits: logits.logits }),
            ],
            atStart: true,
          },
          callbacks: hooks.trainCallbacks?.() ?? [],
        });
        const curveOf = (name: string) =>
          result.evals.map((e) => ({ step: e.step, value: e.metrics[name] ?? Number.NaN }));
        return {
          method: method.label,
          learningRate: spec.learningRate,
          seed: spec.seed,
          trainableParameters: model.parameterCount(true),
          initSeconds,
          trainSeconds: (performance.now() - trainStarted) / 1000,
          curve: curveOf(ACCURACY),
          secondaryCurves: { [F1]: curveOf(F1) },
          ...(evaRanksByLayer === undefined ? {} : { evaRanks: evaRanksByLayer }),
        };
      } finally {
        logits.dispose();
        model.dispose();
      }
    },
  };
}
