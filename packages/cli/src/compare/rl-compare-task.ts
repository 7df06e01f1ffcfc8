import { Rng } from '@peftjs/core';
import { applyEva, computeEvaState, evaRanks } from '@peftjs/eva';
import { injectAdapters, type LoraHandle } from '@peftjs/lora';
import { DecisionTransformerModel, type DecisionTransformerBatch } from '@peftjs/models';
import { bundledCheckpoint, loadPretrained } from '@peftjs/models/node';
import { getRankAllocator } from '@peftjs/rank-allocator';
import { AdamW, cosineScheduleWithWarmup, lossMetric, train, type Metric } from '@peftjs/trainer';
import type { CompareRun } from './compare-run';
import type { CompareRunSpec, CompareTask, CompareTaskHooks } from './compare-task';
import { HELD_OUT_TASKS } from './rl/point-reach';
import { POINT_REACH_SETUP } from './rl/point-reach-setup';
import { rolloutDecisionTransformer } from './rl/rollout';
import { offlineTrajectories } from './rl/scripted-policies';
import { trajectoryWindows } from './rl/trajectory-batches';
import type { LoraRunSettings } from '../lora-run-settings';

export interface RlCompareSettings extends LoraRunSettings {
  readonly steps: number;
  /** Trajectory windows (of `contextLength` timesteps) per batch. */
  readonly batchSize: number;
  /** Offline episodes per held-out task to fine-tune on (scripted mixture, see `offlineTrajectories`). */
  readonly episodesPerTask: number;
  /** Evaluation episodes per held-out task at every evaluation (the same seeded episodes each time). */
  readonly evalEpisodesPerTask: number;
  readonly evalEvery: number;
}

export const RL_COMPARE_DEFAULTS: RlCompareSettings = Object.freeze({
  steps: 100,
  batchSize: 32,
  episodesPerTask: 100,
  evalEpisodesPerTask: 16,
  evalEvery: 20,
  r: 8,
  alpha: 16,
  rho: 2,
  tau: 0.99,
  learningRate: 1e-3,
  targets: Object.freeze(['c_attn', 'c_proj', 'c_fc']),
  evaMaxSteps: 100,
});

export const RL_COMPARE_QUICK: RlCompareSettings = Object.freeze({
  ...RL_COMPARE_DEFAULTS,
  steps: 40,
  evalEpisodesPerTask: 8,
  evalEvery: 10,
});

/**
 * The mean return of rollouts of `model` on the held-out tasks, as a trainer metric: it ignores
 * the held-out batches and plays the same seeded episodes at every evaluation.
 */
function rolloutReturnMetric(model: DecisionTransformerModel, episodesPerTask: number): Metric {
  return {
    name: 'return',
    begin: () => ({
      update: () => {},
      result: () =>
        rolloutDecisionTransformer(model, HELD_OUT_TASKS, episodesPerTask, {
          contextLength: POINT_REACH_SETUP.contextLength,
          targetReturn: POINT_REACH_SETUP.targetReturn,
          seed: POINT_REACH_SETUP.evaluationSeed,
        }).meanReturn,
    }),
  };
}

/**
 * `--task rl`: offline reinforcement learning, as the EVA paper's Meta-World experiment but small
 * and bundled. The bundled Decision Transformer, pretrained on the PointReach tasks whose controls
 * are rotated by -90° .. +90°, is fine-tuned with LoRA (r = 8 on its GPT-2 trunk's c_attn, c_proj,
 * c_fc) on scripted offline trajectories of the three held-out tasks (controls mirrored in x, in y,
 * rotated by 180°); EVA's activations come from the same trajectories. The metric is the mean
 * return of rollouts on fixed seeded episodes of the held-out tasks (minus the final distance to
 * the goal, higher is better), measured at every evaluation.
 */
export const rlCompareTask: CompareTask = {
  name: 'rl',
  description: 'offline RL: Decision Transformer (PointReach, rotated controls) -> held-out mirrored controls',
  metric: { name: 'held-out return', unit: 'minus final distance to goal', higherIsBetter: true },
  defaultLearningRate: (quick) => (quick ? RL_COMPARE_QUICK : RL_COMPARE_DEFAULTS).learningRate,
  settings: (quick) => ({
    ...(quick ? RL_COMPARE_QUICK : RL_COMPARE_DEFAULTS),
    ...POINT_REACH_SETUP,
    learningRate: undefined,
  }),
  run: (spec, hooks) => runRlFineTuning(spec.quick ? RL_COMPARE_QUICK : RL_COMPARE_DEFAULTS, spec, hooks),
};

/**
 * One run of `--task rl` with explicit settings (the task passes its defaults or quick settings):
 * loads the bundled Decision Transformer, adds LoRA adapters by `spec.method`, fine-tunes on the
 * held-out tasks' offline trajectories and records the held-out rollout return at every evaluation.
 */
export async function runRlFineTuning(
  settings: RlCompareSettings,
  spec: CompareRunSpec,
  hooks: CompareTaskHooks,
): Promise<CompareRun> {
  const method = spec.method;
  const model = await loadPretrained(bundledCheckpoint('decision-transformer-point-reach'), {
    as: DecisionTransformerModel,
  });
  try {
    model.eval();
    const trajectories = offlineTrajectories(
      HELD_OUT_TASKS,
      settings.episodesPerTask,
      POINT_REACH_SETUP.fineTuningDataSeed,
    );
    const windows = { contextLength: POINT_REACH_SETUP.contextLength, batchSize: settings.batchSize };
    const data = trajectoryWindows(trajectories, windows);
    const validation = trajectoryWindows(
      offlineTrajectories(HELD_OUT_TASKS, 2, `${POINT_REACH_SETUP.fineTuningDataSeed}/validation`),
      { ...windows, shuffle: false },
    );
    const started = performance.now();
    let handle: LoraHandle;
    let ranks: Record<string, number> | undefined;
    if (method.kind === 'eva') {
      const state = await computeEvaState<DecisionTransformerBatch>(
        model,
        () => data.batches(0, 0, Rng.derive(spec.seed, 'eva')),
        {
          r: settings.r,
          rho: method.rho ?? settings.rho,
          tau: settings.tau,
          targetModules: [...settings.targets],
          maxSteps: settings.evaMaxSteps,
          onMaxSteps: 'use-partial',
          seed: spec.seed,
        },
        {
          ...(method.allocator === undefined ? {} : { allocator: getRankAllocator(method.allocator) }),
          ...(hooks.onEvaProgress === undefined ? {} : { onProgress: hooks.onEvaProgress }),
        },
      );
      handle = applyEva(model, state, { alpha: settings.alpha, seed: spec.seed });
      ranks = evaRanks(state);
    } else {
      handle = injectAdapters(model, {
        r: settings.r,
        alpha: settings.alpha,
        targetModules: [...settings.targets],
        init: method.init,
        seed: spec.seed,
      });
    }
    const initSeconds = (performance.now() - started) / 1000;
    const curve: { step: number; value: number }[] = [];
    const trainStarted = performance.now();
    await train({
      model,
      data,
      optimizer: new AdamW({ learningRate: spec.learningRate, weightDecay: 0 }),
      schedule: cosineScheduleWithWarmup({ warmupSteps: Math.round(settings.steps / 10), totalSteps: settings.steps }),
      maxSteps: settings.steps,
      seed: spec.seed,
      evaluation: {
        data: validation,
        every: settings.evalEvery,
        metrics: [lossMetric('action MSE'), rolloutReturnMetric(model, settings.evalEpisodesPerTask)],
        atStart: true,
      },
      callbacks: [
        hooks.trainCallbacks?.() ?? {},
        { onEval: (record) => void curve.push({ step: record.step, value: record.metrics['return'] ?? Number.NaN }) },
      ],
    });
    return {
      method: method.label,
      learningRate: spec.learningRate,
      seed: spec.seed,
      trainableParameters: handle.parameterCount().trainable,
      initSeconds,
      trainSeconds: (performance.now() - trainStarted) / 1000,
      curve,
      ...(ranks === undefined ? {} : { evaRanks: ranks }),
    };
  } finally {
    model.dispose();
  }
}
