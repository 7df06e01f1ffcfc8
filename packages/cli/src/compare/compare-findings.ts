import type { CompareSummary } from './aggregate-compare';

/**
 * What a comparison found, in plain sentences under its table: for every method, its paired
 * difference to the baseline on the final metric and whether the 95% interval over seeds tells
 * them apart (an interval that contains 0 does not, whatever the sign of the mean); the method with
 * the best mean final value; and, for EVA runs, the share of init in init + training time (issue 12's
 * "EVA's share of the run"). No sentence claims more than the interval supports.
 */
export function compareFindings(summary: CompareSummary, digits = 4): string[] {
  const { metric, baseline } = summary;
  const signed = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
  const lines: string[] = [];
  for (const m of summary.methods) {
    const cmp = m.versusBaseline;
    if (cmp === null) continue;
    const head = `${m.method} vs ${baseline}: ${signed(cmp.meanDifference)} ${metric.unit}`;
    if (cmp.low === null || cmp.high === null) {
      lines.push(`${head} on 1 seed: no interval, so nothing can be concluded (use --seeds 3 or more).`);
      continue;
    }
    const interval = `[${signed(cmp.low)}, ${signed(cmp.high)}] over ${cmp.n} seeds`;
    if (cmp.low <= 0 && cmp.high >= 0) {
      lines.push(`${head}, 95% interval ${interval}: it contains 0, so these seeds cannot tell them apart.`);
      continue;
    }
    const methodBetter = metric.higherIsBetter ? cmp.low > 0 : cmp.high < 0;
    lines.push(
      `${head}, 95% interval ${interval}: ${m.method} is ${methodBetter ? 'better' : 'worse'} than ${baseline} here.`,
    );
  }
  const best = [...summary.methods].sort((a, b) =>
    metric.higherIsBetter ? b.final.mean - a.final.mean : a.final.mean - b.final.mean,
  )[0];
  if (best !== undefined && summary.methods.length > 1) {
    lines.push(
      `Best mean final ${metric.name}: ${best.method} (${best.final.mean.toFixed(digits)} ± ${best.final.std.toFixed(digits)} ${metric.unit}).`,
    );
  }
  for (const m of summary.methods) {
    if (m.method !== 'eva' && !m.method.startsWith('eva:')) continue;
    const init = m.initSeconds.mean;
    const total = init + m.trainSeconds.mean;
    if (!(total > 0)) continue;
    lines.push(
      `${m.method} init: ${init.toFixed(2)} s on average, ${((100 * init) / total).toFixed(1)}% of its init + training time.`,
    );
  }
  return lines;
}
