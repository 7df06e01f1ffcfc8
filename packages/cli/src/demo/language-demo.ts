import * as tf from '@tensorflow/tfjs-core';
import { cpus } from 'node:os';
import type { Batch } from '@peftjs/core';
import { injectAdapters, type LoraHandle } from '@peftjs/lora';
import { ByteTokenizer, joinTexts, lmBatches, loadMobyDick, type PretrainedModel } from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';
import {
  AdamW,
  cosineScheduleWithWarmup,
  fixedDataSource,
  lossMetric,
  streamDataSource,
  train,
  type TrainCallbacks,
} from '@peftjs/trainer';
import type { DemoResults, DemoRun } from './report-html';
import { applyEva, computeEvaState, type EvaProgress, evaRanks } from '@peftjs/eva';
import type { RankAllocator } from '@peftjs/rank-allocator';
import type { LoraRunSettings } from '../lora-run-settings';

/** Settings of {@link runLanguageDemo}; every run of one demo uses the same values. */
export interface LanguageDemoSettings extends LoraRunSettings {
  /** Optimizer steps per run. */
  readonly steps: number;
  /** Sequences per batch. */
  readonly batchSize: number;
  /** Tokens (bytes) per sequence. */
  readonly seqLen: number;
  /** Evaluate on the held-out chapters every this many steps (and at step 0). */
  readonly evalEvery: number;
  /** Held-out batches per evaluation. */
  readonly evalBatches: number;
  /** Initialisers to compare, one run each: `eva` or a registered LoRA initialiser name. */
  readonly inits: readonly string[];
  /** Seed of the batch order and the adapters' initialisation. */
  readonly seed: number;
}

/** Settings of one seed of `peftjs demo` (and `compare --task text`): 400 steps of batch 8 x 128 bytes, r 8, four initialisers (kaiming, eva, pissa, olora). */
export const LANGUAGE_DEMO_DEFAULTS: LanguageDemoSettings = Object.freeze({
  steps: 400,
  batchSize: 8,
  seqLen: 128,
  evalEvery: 50,
  evalBatches: 6,
  r: 8,
  alpha: 16,
  rho: 2,
  tau: 0.99,
  learningRate: 2e-3,
  targets: Object.freeze(['c_attn', 'c_proj', 'c_fc']),
  inits: Object.freeze(['kaiming', 'eva', 'pissa', 'olora']),
  seed: 1,
  evaMaxSteps: 100,
});

/** `peftjs demo --quick`: {@link LANGUAGE_DEMO_DEFAULTS} shrunk to 30 steps of batch 4 x 64 bytes. */
export const LANGUAGE_DEMO_QUICK: LanguageDemoSettings = Object.freeze({
  ...LANGUAGE_DEMO_DEFAULTS,
  steps: 30,
  batchSize: 4,
  seqLen: 64,
  evalEvery: 10,
  evalBatches: 4,
  evaMaxSteps: 40,
});

/** Progress hooks of the demos (the CLI prints; the demos never do). */
export interface DemoHooks {
  /** Progress callbacks for each run's trainer (the CLI passes a progress bar). */
  readonly trainCallbacks?: (init: string) => TrainCallbacks;
  /** Receives EVA's progress while the `eva` run computes its state. */
  readonly onEvaProgress?: (progress: EvaProgress) => void;
  /** Called before each run with its initialiser name. */
  readonly onRunStart?: (init: string) => void;
  /** EVA's rank allocator (default: explained variance); `peftjs compare` varies it. */
  readonly evaAllocator?: RankAllocator;
}

/**
 * The main job: the bundled byte-level GPT-2 (pretrained on State of the Union addresses) is
 * fine-tuned on Moby Dick with LoRA initialised several ways, at the same rank budget, the same
 * seed and the same batches, and evaluated on held-out chapters.
 */
export async function runLanguageDemo(
  settings: LanguageDemoSettings,
  hooks: DemoHooks = {},
  command = 'peftjs demo',
): Promise<DemoResults> {
  const tokenizer = new ByteTokenizer();
  const trainText = joinTexts(await loadMobyDick({ split: 'train' }));
  const heldOutText = joinTexts(await loadMobyDick({ split: 'validation' }));
  const trainStream = lmBatches(trainText, {
    tokenizer,
    batchSize: settings.batchSize,
    seqLen: settings.seqLen,
    seed: settings.seed,
    loop: true,
  });
  const heldOut = fixedDataSource(
    lmBatches(heldOutText, { tokenizer, batchSize: settings.batchSize, seqLen: settings.seqLen, shuffle: false }),
    settings.evalBatches,
  );
  const checkpoint = bundledCheckpoint('gpt2-sotu-byte');

  const runs: DemoRun[] = [];
  let eva: DemoResults['eva'] = null;
  for (const init of settings.inits) {
    hooks.onRunStart?.(init);
    const model = (await loadPretrained(checkpoint)) as PretrainedModel & {
      loss(batch: Batch): import('@tensorflow/tfjs-core').Scalar;
    };
    model.eval(); // no dropout anywhere: the runs differ only in their initialisation
    const initStarted = performance.now();
    let handle: LoraHandle;
    if (init === 'eva') {
      // EVA sees the first training batches, as PEFT's dataloader would; they are replayed if needed.
      const state = await computeEvaState(
        model,
        () => trainStream.from(0),
        {
          r: settings.r,
          rho: settings.rho,
          tau: settings.tau,
          targetModules: settings.targets,
          maxSteps: settings.evaMaxSteps,
          onMaxSteps: 'use-partial',
          seed: settings.seed,
        },
        {
          ...(hooks.onEvaProgress === undefined ? {} : { onProgress: hooks.onEvaProgress }),
          ...(hooks.evaAllocator === undefined ? {} : { allocator: hooks.evaAllocator }),
        },
      );
      handle = applyEva(model, state, { alpha: settings.alpha, seed: settings.seed });
      eva = {
        ranks: evaRanks(state),
        steps: state.steps,
        seconds: state.seconds,
        converged: state.converged,
        ...(state.phases === undefined ? {} : { phases: state.phases }),
      };
    } else {
      handle = injectAdapters(model, {
        r: settings.r,
        alpha: settings.alpha,
        targetModules: [...settings.targets],
        init,
        seed: settings.seed,
      });
    }
    const initSeconds = (performance.now() - initStarted) / 1000;
    const trainStarted = performance.now();
    const result = await train({
      model,
      data: streamDataSource(trainStream),
      optimizer: new AdamW({ learningRate: settings.learningRate, weightDecay: 0 }),
      schedule: cosineScheduleWithWarmup({
        warmupSteps: Math.max(1, Math.round(settings.steps / 10)),
        totalSteps: settings.steps,
      }),
      maxSteps: settings.steps,
      seed: settings.seed,
      evaluation: { data: heldOut, every: settings.evalEvery, metrics: [lossMetric()], atStart: true },
      callbacks: hooks.trainCallbacks?.(init) ?? [],
    });
    const trainSeconds = (performance.now() - trainStarted) / 1000;
    runs.push({
      init,
      trainableParameters: handle.parameterCount().trainable,
      initSeconds,
      trainSeconds,
      evalLoss: result.evals.map((e) => ({ step: e.step, loss: e.metrics['loss'] as number })),
      trainLoss: result.history.map((h) => ({ step: h.step, loss: h.loss })),
    });
    model.dispose();
  }
  return {
    task: 'language: GPT-2 (SOTU, byte-level) -> Moby Dick',
    command,
    machine: machineDescription(),
    settings: { ...settings },
    runs,
    eva,
  };
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu.length} x ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, tfjs backend ${tf.getBackend()}`;
}
