import { getRankAllocator } from '@peftjs/rank-allocator';
import { IMAGE_DEMO_DEFAULTS, IMAGE_DEMO_QUICK, runImageDemo } from '../demo/image-demo';
import type { CompareTask } from './compare-task';
import { CliError } from '../cli-error';

/**
 * `--task images`: the image demo's setup (bundled MNIST MLP adapted to Fashion-MNIST, LoRA r = 8
 * on both layers), one method and seed per run; the metric is held-out accuracy, recorded at every
 * evaluation through the trainer's `onEval` callback.
 */
export const imageCompareTask: CompareTask = {
  name: 'images',
  description: 'image classification: MLP (MNIST) -> Fashion-MNIST',
  metric: { name: 'held-out accuracy', unit: 'fraction correct', higherIsBetter: true },
  defaultLearningRate: (quick) => (quick ? IMAGE_DEMO_QUICK : IMAGE_DEMO_DEFAULTS).learningRate,
  settings: (quick) => ({
    ...(quick ? IMAGE_DEMO_QUICK : IMAGE_DEMO_DEFAULTS),
    inits: undefined,
    seed: undefined,
    learningRate: undefined,
  }),
  async run(spec, hooks) {
    const base = spec.quick ? IMAGE_DEMO_QUICK : IMAGE_DEMO_DEFAULTS;
    const method = spec.method;
    const init = method.kind === 'eva' ? 'eva' : method.init;
    const settings = {
      ...base,
      inits: [init],
      seed: spec.seed,
      learningRate: spec.learningRate,
      rho: method.kind === 'eva' ? (method.rho ?? base.rho) : base.rho,
    };
    const curve: { step: number; value: number }[] = [];
    const results = await runImageDemo(settings, {
      trainCallbacks: () => {
        const outer = hooks.trainCallbacks?.() ?? {};
        return {
          ...outer,
          onEval: async (record) => {
            curve.push({ step: record.step, value: record.metrics['accuracy'] ?? Number.NaN });
            await outer.onEval?.(record);
          },
        };
      },
      ...(method.kind === 'eva' && method.allocator !== undefined
        ? { evaAllocator: getRankAllocator(method.allocator) }
        : {}),
    });
    const run = results.runs[0];
    if (run === undefined) throw new CliError(`compare: the images task returned no run for ${method.label}`, 1);
    return {
      method: method.label,
      learningRate: spec.learningRate,
      seed: spec.seed,
      trainableParameters: run.trainableParameters,
      initSeconds: run.initSeconds,
      trainSeconds: run.trainSeconds,
      curve,
      ...(results.eva === null ? {} : { evaRanks: results.eva.ranks }),
    };
  },
};
