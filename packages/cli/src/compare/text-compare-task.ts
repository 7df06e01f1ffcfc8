import { getRankAllocator } from '@peftjs/rank-allocator';
import { LANGUAGE_DEMO_DEFAULTS, LANGUAGE_DEMO_QUICK, runLanguageDemo } from '../demo/language-demo';
import type { CompareTask } from './compare-task';
import { CliError } from '../cli-error';

/**
 * `--task text`: the language demo's setup (bundled byte-level GPT-2 pretrained on State of the
 * Union addresses, fine-tuned on Moby Dick, LoRA r = 8 on c_attn/c_proj/c_fc), one method and seed
 * per run; the metric is the held-out loss on Moby Dick's validation chapters.
 */
export const textCompareTask: CompareTask = {
  name: 'text',
  description: 'text generation: GPT-2 (SOTU, byte-level) -> Moby Dick',
  metric: { name: 'validation loss', unit: 'nats/byte', higherIsBetter: false },
  defaultLearningRate: (quick) => (quick ? LANGUAGE_DEMO_QUICK : LANGUAGE_DEMO_DEFAULTS).learningRate,
  settings: (quick) => ({
    ...(quick ? LANGUAGE_DEMO_QUICK : LANGUAGE_DEMO_DEFAULTS),
    inits: undefined,
    seed: undefined,
    learningRate: undefined,
  }),
  async run(spec, hooks) {
    const base = spec.quick ? LANGUAGE_DEMO_QUICK : LANGUAGE_DEMO_DEFAULTS;
    const method = spec.method;
    const init = method.kind === 'eva' ? 'eva' : method.init;
    const settings = {
      ...base,
      inits: [init],
      seed: spec.seed,
      learningRate: spec.learningRate,
      rho: method.kind === 'eva' ? (method.rho ?? base.rho) : base.rho,
    };
    const results = await runLanguageDemo(settings, {
      ...(hooks.trainCallbacks === undefined ? {} : { trainCallbacks: hooks.trainCallbacks }),
      ...(hooks.onEvaProgress === undefined ? {} : { onEvaProgress: hooks.onEvaProgress }),
      ...(method.kind === 'eva' && method.allocator !== undefined
        ? { evaAllocator: getRankAllocator(method.allocator) }
        : {}),
    });
    const run = results.runs[0];
    if (run === undefined) throw new CliError(`compare: the text task returned no run for ${method.label}`, 1);
    return {
      method: method.label,
      learningRate: spec.learningRate,
      seed: spec.seed,
      trainableParameters: run.trainableParameters,
      initSeconds: run.initSeconds,
      trainSeconds: run.trainSeconds,
      curve: run.evalLoss.map((e) => ({ step: e.step, value: e.loss })),
      ...(results.eva === null ? {} : { evaRanks: results.eva.ranks }),
    };
  },
};
