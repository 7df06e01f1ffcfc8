import type { CompareSummary } from './aggregate-compare';
import type { CompareMetric } from './compare-run';
import type { PairedComparison } from './paired-comparison';

/**
 * The comparison as a Markdown table (pasted into READMEs): per method its learning rate, trainable
 * parameters, mean ± std over seeds of the metric at each evaluated step, the paired difference to
 * the baseline with its 95% t-interval, each secondary metric's final mean ± std and paired
 * difference (when the task has any), steps to the target, and mean init/train seconds.
 */
export function compareTable(summary: CompareSummary, digits = 4): string {
  const steps = [...new Set(summary.methods.flatMap((m) => m.curve.map((c) => c.step)))].sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(digits);
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${f(v)}`;
  const deltaCell = (cmp: PairedComparison | null) =>
    cmp === null
      ? '(baseline)'
      : cmp.low === null || cmp.high === null
        ? `${signed(cmp.meanDifference)} (n=1)`
        : `${signed(cmp.meanDifference)} [${signed(cmp.low)}, ${signed(cmp.high)}]`;
  const secondary = summary.secondaryMetrics ?? [];
  const header = [
    'method',
    'lr',
    'trainable',
    ...steps.map((s) => `step ${s}`),
    `Δ vs ${summary.baseline} [95% CI]`,
    ...secondary.flatMap((m) => [`${m.name}, final`, `Δ ${m.name} [95% CI]`]),
    `steps to ${f(summary.target)}`,
    'init s',
    'train s',
  ];
  const rows = summary.methods.map((m) => {
    const delta = deltaCell(m.versusBaseline);
    return [
      m.method,
      String(m.learningRate),
      Math.round(m.trainableParameters.mean).toLocaleString('en-US'),
      ...steps.map((s) => {
        const c = m.curve.find((p) => p.step === s);
        return c === undefined ? '' : `${f(c.mean)} ± ${f(c.std)}`;
      }),
      delta,
      ...secondary.flatMap((metric) => {
        const own = m.secondary?.find((x) => x.metric === metric.name);
        return own === undefined
          ? ['', '']
          : [`${f(own.final.mean)} ± ${f(own.final.std)}`, deltaCell(own.versusBaseline)];
      }),
      m.stepsToTarget.mean === null
        ? `- (0/${m.stepsToTarget.of})`
        : `${m.stepsToTarget.mean.toFixed(1)} (${m.stepsToTarget.reached}/${m.stepsToTarget.of})`,
      m.initSeconds.mean.toFixed(2),
      m.trainSeconds.mean.toFixed(1),
    ];
  });
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const n = Math.max(0, ...summary.methods.map((m) => m.seeds.length));
  const describe = (metric: CompareMetric) =>
    `${metric.name} (${metric.unit}, ${metric.higherIsBetter ? 'higher' : 'lower'} is better)`;
  const also = secondary.length === 0 ? '' : `; also ${secondary.map(describe).join(', ')} at the last step`;
  return [
    `${describe(summary.metric)}, mean ± std over ${n} seeds${also}`,
    '',
    line(header),
    line(header.map((_, i) => (i === 0 ? ':--' : '--:'))),
    ...rows.map(line),
  ].join('\n');
}
