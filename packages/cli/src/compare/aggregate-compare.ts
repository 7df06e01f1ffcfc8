import type { CompareMetric, CompareRun } from './compare-run';
import { meanAndStd, type MeanAndStd } from './mean-and-std';
import { pairedComparison, type PairedComparison } from './paired-comparison';

/** One method's results over seeds, at its best learning rate. */
export interface MethodSummary {
  /** The method's label, as given in `--methods`. */
  readonly method: string;
  /** The learning rate with the best mean final validation metric over seeds (ties: the first given). */
  readonly learningRate: number;
  /** Every learning rate tried, with its mean final validation metric over seeds. */
  readonly learningRateSearch: readonly {
    /** The learning rate tried. */
    readonly learningRate: number;
    /** Mean over seeds of the final validation metric at this rate. */
    readonly finalMean: number;
    /** How many seeds ran at this rate. */
    readonly seeds: number;
  }[];
  /** The seeds of the runs at the chosen learning rate, ascending. */
  readonly seeds: readonly number[];
  /** Trainable (adapter) parameter count over seeds; EVA's can vary with its rank allocation. */
  readonly trainableParameters: MeanAndStd;
  /** Mean and sample std over seeds of the metric at each evaluated step. */
  readonly curve: readonly ({
    /** Optimizer step of the evaluation (0: right after initialisation). */
    readonly step: number;
  } & MeanAndStd)[];
  /** The metric at the last evaluated step. */
  readonly final: MeanAndStd;
  /** First evaluated step at which each seed reached the target: mean over the seeds that did. */
  readonly stepsToTarget: {
    /** Mean step over the seeds that reached the target; null when none did. */
    readonly mean: number | null;
    /** How many seeds reached the target. */
    readonly reached: number;
    /** How many seeds ran. */
    readonly of: number;
  };
  /** Seconds spent initialising the adapter (EVA: computing its state), over seeds. */
  readonly initSeconds: MeanAndStd;
  /** Seconds of training, evaluations included, over seeds. */
  readonly trainSeconds: MeanAndStd;
  /** `method - baseline` on the final metric, paired by seed; null for the baseline itself or when it is missing. */
  readonly versusBaseline: PairedComparison | null;
  /** Each secondary metric at the last evaluated step, over the same runs (absent when the task has none). */
  readonly secondary?: readonly SecondarySummary[];
}

/** One secondary metric of one method: its final value over seeds and the paired difference to the baseline. */
export interface SecondarySummary {
  /** The metric's `name` (see `CompareSummary.secondaryMetrics`). */
  readonly metric: string;
  /** Over the runs that report it. */
  readonly final: MeanAndStd;
  /** `method - baseline` on this metric's final value, paired by seed; null as for the main metric. */
  readonly versusBaseline: PairedComparison | null;
}

/** What {@link aggregateCompare} returns: one {@link MethodSummary} per method that has runs. */
export interface CompareSummary {
  /** The task's validation metric. */
  readonly metric: CompareMetric;
  /** Label of the baseline method. */
  readonly baseline: string;
  /** The metric value "steps to target" counts to; default: the baseline's mean final value. */
  readonly target: number;
  /** In the order of {@link AggregateOptions.methods}. */
  readonly methods: readonly MethodSummary[];
  /** The task's secondary metrics, in order (absent when it has none). */
  readonly secondaryMetrics?: readonly CompareMetric[];
}

/** Options of {@link aggregateCompare}. */
export interface AggregateOptions {
  /** Method labels to summarise, in output order. */
  readonly methods: readonly string[];
  /** Label of the method the others are compared with. */
  readonly baseline: string;
  /** The metric, which says whether higher is better. */
  readonly metric: CompareMetric;
  /** Explicit target; default the baseline's mean final metric. */
  readonly target?: number;
  /** Metrics the runs also report in `secondaryCurves`; summarised at the chosen learning rates. */
  readonly secondaryMetrics?: readonly CompareMetric[];
}

/**
 * Aggregates finished runs: picks each method's learning rate by its mean final validation metric,
 * then reports per step mean ± std over seeds, steps to a target, init/train time, and the paired
 * 95% t-interval of `method - baseline` on the final metric (pairs share a seed). Secondary
 * metrics get their final mean ± std and paired interval at the same runs (a run that lacks one is
 * left out of that metric). Pure: plain data in, plain data out; methods with no runs are left out.
 */
export function aggregateCompare(runs: readonly CompareRun[], options: AggregateOptions): CompareSummary {
  const secondaryMetrics = options.secondaryMetrics ?? [];
  const better = (a: number, b: number) => (options.metric.higherIsBetter ? a > b : a < b);
  const chosen = new Map<
    string,
    { learningRate: number; runs: CompareRun[]; search: MethodSummary['learningRateSearch'] }
  >();
  for (const method of options.methods) {
    const mine = runs.filter((r) => r.method === method);
    const rates = [...new Set(mine.map((r) => r.learningRate))];
    const search = rates.map((learningRate) => {
      const finals = mine.filter((r) => r.learningRate === learningRate).map(finalValue);
      return { learningRate, finalMean: meanAndStd(finals).mean, seeds: finals.length };
    });
    const best = search.reduce<(typeof search)[number] | undefined>(
      (acc, s) => (acc === undefined || better(s.finalMean, acc.finalMean) ? s : acc),
      undefined,
    );
    if (best === undefined) continue;
    const picked = mine.filter((r) => r.learningRate === best.learningRate).sort((a, b) => a.seed - b.seed);
    chosen.set(method, { learningRate: best.learningRate, runs: picked, search });
  }
  const baselineRuns = chosen.get(options.baseline)?.runs ?? [];
  const target = options.target ?? meanAndStd(baselineRuns.map(finalValue)).mean;
  const reaches = (v: number) => (options.metric.higherIsBetter ? v >= target : v <= target);
  const methods: MethodSummary[] = [];
  for (const [method, { learningRate, runs: picked, search }] of chosen) {
    const steps = [...new Set(picked.flatMap((r) => r.curve.map((p) => p.step)))].sort((a, b) => a - b);
    const curve = steps.map((step) => ({
      step,
      ...meanAndStd(picked.flatMap((r) => r.curve.filter((p) => p.step === step).map((p) => p.value))),
    }));
    const hits = picked
      .map((r) => r.curve.find((p) => reaches(p.value))?.step)
      .filter((s): s is number => s !== undefined);
    const paired = method === options.baseline ? [] : picked.filter((r) => baselineRuns.some((b) => b.seed === r.seed));
    const secondary = secondaryMetrics.map((m) => secondarySummary(m.name, picked, paired, baselineRuns));
    methods.push({
      method,
      learningRate,
      learningRateSearch: search,
      seeds: picked.map((r) => r.seed),
      trainableParameters: meanAndStd(picked.map((r) => r.trainableParameters)),
      curve,
      final: meanAndStd(picked.map(finalValue)),
      stepsToTarget: {
        mean: hits.length === 0 ? null : meanAndStd(hits).mean,
        reached: hits.length,
        of: picked.length,
      },
      initSeconds: meanAndStd(picked.map((r) => r.initSeconds)),
      trainSeconds: meanAndStd(picked.map((r) => r.trainSeconds)),
      versusBaseline:
        paired.length === 0
          ? null
          : pairedComparison(
              paired.map(finalValue),
              paired.map((r) => finalValue(baselineRuns.find((b) => b.seed === r.seed) as CompareRun)),
            ),
      ...(secondaryMetrics.length === 0 ? {} : { secondary }),
    });
  }
  return {
    metric: options.metric,
    baseline: options.baseline,
    target,
    methods,
    ...(secondaryMetrics.length === 0 ? {} : { secondaryMetrics }),
  };
}

function finalValue(run: CompareRun): number {
  return run.curve.at(-1)?.value ?? Number.NaN;
}

/** A secondary metric's value at the run's last evaluated step; undefined when the run does not report it. */
function secondaryFinal(run: CompareRun, name: string): number | undefined {
  return run.secondaryCurves?.[name]?.at(-1)?.value;
}

function secondarySummary(
  name: string,
  picked: readonly CompareRun[],
  paired: readonly CompareRun[],
  baselineRuns: readonly CompareRun[],
): SecondarySummary {
  const finals = picked.map((r) => secondaryFinal(r, name)).filter((v): v is number => v !== undefined);
  const pairs = paired.flatMap((r) => {
    const mine = secondaryFinal(r, name);
    const base = baselineRuns.find((b) => b.seed === r.seed);
    const theirs = base === undefined ? undefined : secondaryFinal(base, name);
    return mine === undefined || theirs === undefined ? [] : [[mine, theirs] as const];
  });
  return {
    metric: name,
    final: meanAndStd(finals),
    versusBaseline:
      pairs.length === 0
        ? null
        : pairedComparison(
            pairs.map((p) => p[0]),
            pairs.map((p) => p[1]),
          ),
  };
}
