import type { FeatureBatch } from '@peftjs/core';
import { injectAdapters, type LoraHandle } from '@peftjs/lora';
import { featureBatches, MlpClassifier } from '@peftjs/models';
import { bundledCheckpoint, loadFashionMnist, loadPretrained } from '@peftjs/models/node';
import { AdamW, accuracyMetric, cosineScheduleWithWarmup, lossMetric, streamDataSource, train } from '@peftjs/trainer';
import type { DemoHooks } from './language-demo';
import { machineDescription } from './language-demo';
import type { DemoResults, DemoRun } from './report-html';
import { applyEva, computeEvaState, evaRanks } from '@peftjs/eva';

/** Settings of {@link runImageDemo}; every run of one demo uses the same values. */
export interface ImageDemoSettings {
  /** Optimizer steps per run. */
  readonly steps: number;
  /** Images per training batch. */
  readonly batchSize: number;
  /** Fashion-MNIST training images used (the first ones). */
  readonly trainImages: number;
  /** Fashion-MNIST test images used for held-out loss and accuracy. */
  readonly testImages: number;
  /** Evaluate every this many steps (and at step 0). */
  readonly evalEvery: number;
  /** LoRA rank per layer (EVA: the per-layer share of its rank budget). */
  readonly r: number;
  /** LoRA `alpha`; the update is scaled by `alpha / r`. */
  readonly alpha: number;
  /** EVA's rank budget factor: a layer may get up to `r * rho` components. */
  readonly rho: number;
  /** EVA's convergence threshold on the cosine between successive component fits, in [0, 1]. */
  readonly tau: number;
  /** Peak learning rate of AdamW under a cosine schedule with 10% warmup. */
  readonly learningRate: number;
  /** Initialisers to compare, one run each: `eva` or a registered LoRA initialiser name. */
  readonly inits: readonly string[];
  /** Seed of the batch order and the adapters' initialisation. */
  readonly seed: number;
}

/** `peftjs demo --task images` settings: 300 steps of batch 64 on 20,000 training images, r 8, kaiming vs eva. */
export const IMAGE_DEMO_DEFAULTS: ImageDemoSettings = Object.freeze({
  steps: 300,
  batchSize: 64,
  trainImages: 20000,
  testImages: 5000,
  evalEvery: 50,
  r: 8,
  alpha: 16,
  rho: 2,
  tau: 0.99,
  learningRate: 3e-3,
  inits: Object.freeze(['kaiming', 'eva']),
  seed: 1,
});

/** `--quick`: {@link IMAGE_DEMO_DEFAULTS} shrunk to 60 steps on 4,000 training and 1,000 test images. */
export const IMAGE_DEMO_QUICK: ImageDemoSettings = Object.freeze({
  ...IMAGE_DEMO_DEFAULTS,
  steps: 60,
  trainImages: 4000,
  testImages: 1000,
  evalEvery: 20,
});

/** Both layers of the 784-128-10 MLP. */
const IMAGE_TARGETS = ['layers.0', 'layers.1'] as const;

/** The second demo: the bundled MNIST MLP adapted to Fashion-MNIST with LoRA (kaiming vs EVA). */
export async function runImageDemo(
  settings: ImageDemoSettings,
  hooks: DemoHooks = {},
  command = 'peftjs demo --task images',
): Promise<DemoResults> {
  const trainSet = await loadFashionMnist({ split: 'train', limit: settings.trainImages });
  const testSet = await loadFashionMnist({ split: 'test', limit: settings.testImages });
  const trainStream = featureBatches(trainSet, { batchSize: settings.batchSize, seed: settings.seed, loop: true });
  const testStream = featureBatches(testSet, { batchSize: 500, shuffle: false });
  const heldOut = streamDataSource(testStream);
  const runs: DemoRun[] = [];
  const accuracy: Record<string, number> = {};
  let eva: DemoResults['eva'] = null;
  for (const init of settings.inits) {
    hooks.onRunStart?.(init);
    const model = await loadPretrained(bundledCheckpoint('mlp-mnist'));
    if (!(model instanceof MlpClassifier))
      throw new Error('the bundled mlp-mnist checkpoint did not load as an MLP classifier');
    model.eval();
    const started = performance.now();
    let handle: LoraHandle;
    if (init === 'eva') {
      const state = await computeEvaState(
        model,
        () => trainStream.from(0) as AsyncIterable<FeatureBatch>,
        {
          r: settings.r,
          rho: settings.rho,
          tau: settings.tau,
          targetModules: [...IMAGE_TARGETS],
          maxSteps: 100,
          onMaxSteps: 'use-partial',
          seed: settings.seed,
        },
        hooks.evaAllocator === undefined ? {} : { allocator: hooks.evaAllocator },
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
        targetModules: [...IMAGE_TARGETS],
        init,
        seed: settings.seed,
      });
    }
    const initSeconds = (performance.now() - started) / 1000;
    const trainStarted = performance.now();
    const result = await train({
      model,
      data: streamDataSource(trainStream),
      optimizer: new AdamW({ learningRate: settings.learningRate, weightDecay: 0 }),
      schedule: cosineScheduleWithWarmup({ warmupSteps: Math.round(settings.steps / 10), totalSteps: settings.steps }),
      maxSteps: settings.steps,
      seed: settings.seed,
      evaluation: {
        data: heldOut,
        every: settings.evalEvery,
        metrics: [lossMetric(), accuracyMetric()],
        atStart: true,
      },
      callbacks: hooks.trainCallbacks?.(init) ?? [],
    });
    runs.push({
      init,
      trainableParameters: handle.parameterCount().trainable,
      initSeconds,
      trainSeconds: (performance.now() - trainStarted) / 1000,
      evalLoss: result.evals.map((e) => ({ step: e.step, loss: e.metrics['loss'] as number })),
      trainLoss: result.history.map((h) => ({ step: h.step, loss: h.loss })),
    });
    accuracy[init] = result.evals.at(-1)?.metrics['accuracy'] ?? Number.NaN;
    model.dispose();
  }
  return {
    task: 'images: MLP (MNIST) -> Fashion-MNIST',
    command,
    machine: machineDescription(),
    settings: { ...settings },
    runs,
    eva,
    metric: { name: 'accuracy (final, held-out)', byInit: accuracy },
  };
}
