import type { TopLevelSpec } from 'vega-lite';
import type { CompareSummary } from './aggregate-compare';
import type { CompareRun } from './compare-run';

const WIDTH = 640;

/**
 * The report's Vega-Lite specs (data inline): validation metric by step with a ±1 std band over
 * seeds per method; each method's final metric per seed; EVA's rank per layer (mean over seeds,
 * with the min-max range over seeds) for every EVA method. Axes carry their units.
 */
export function compareCharts(
  summary: CompareSummary,
  runs: readonly CompareRun[],
): { readonly title: string; readonly spec: TopLevelSpec }[] {
  const metricTitle = `${summary.metric.name} (${summary.metric.unit})`;
  const curveRows = summary.methods.flatMap((m) =>
    m.curve.map((c) => ({ method: m.method, step: c.step, mean: c.mean, low: c.mean - c.std, high: c.mean + c.std })),
  );
  const color = { field: 'method', type: 'nominal', title: 'method' } as const;
  const charts: { title: string; spec: TopLevelSpec }[] = [
    {
      title: `${summary.metric.name} by step (mean ± 1 std over seeds)`,
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: WIDTH,
        height: 320,
        data: { values: curveRows },
        encoding: { x: { field: 'step', type: 'quantitative', title: 'optimizer step (steps)' }, color },
        layer: [
          {
            mark: { type: 'area', opacity: 0.18 },
            encoding: {
              y: { field: 'low', type: 'quantitative', title: metricTitle, scale: { zero: false } },
              y2: { field: 'high' },
            },
          },
          {
            mark: { type: 'line', point: true },
            encoding: { y: { field: 'mean', type: 'quantitative', title: metricTitle, scale: { zero: false } } },
          },
        ],
      },
    },
  ];
  const chosen = new Map(summary.methods.map((m) => [m.method, m.learningRate]));
  const finals = runs
    .filter((r) => chosen.get(r.method) === r.learningRate)
    .map((r) => ({ method: r.method, seed: r.seed, value: r.curve.at(-1)?.value ?? Number.NaN }));
  charts.push({
    title: `Final ${summary.metric.name} per seed`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      width: WIDTH,
      data: { values: finals },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        y: { field: 'method', type: 'nominal', title: 'method' },
        x: { field: 'value', type: 'quantitative', title: metricTitle, scale: { zero: false } },
        color,
        tooltip: [{ field: 'seed', type: 'quantitative' }],
      },
    },
  });
  const rankRows = summary.methods.flatMap((m) => {
    const perSeed = runs.filter(
      (r) => r.method === m.method && r.learningRate === m.learningRate && r.evaRanks !== undefined,
    );
    const layers = [...new Set(perSeed.flatMap((r) => Object.keys(r.evaRanks ?? {})))];
    return layers.map((layer) => {
      const ranks = perSeed.map((r) => r.evaRanks?.[layer] ?? 0);
      return {
        method: m.method,
        layer,
        mean: ranks.reduce((a, b) => a + b, 0) / ranks.length,
        min: Math.min(...ranks),
        max: Math.max(...ranks),
      };
    });
  });
  if (rankRows.length > 0) {
    charts.push({
      title: 'EVA rank per layer (bar: mean over seeds; line: min to max)',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        width: WIDTH,
        data: { values: rankRows },
        encoding: {
          y: { field: 'layer', type: 'nominal', title: 'layer', sort: null, axis: { labelLimit: 420 } },
          yOffset: { field: 'method' },
          color,
        },
        layer: [
          {
            mark: { type: 'bar', opacity: 0.8 },
            encoding: {
              x: {
                field: 'mean',
                type: 'quantitative',
                title: 'LoRA rank (components)',
                axis: { format: 'd', tickMinStep: 1 },
              },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 2 },
            encoding: { x: { field: 'min', type: 'quantitative' }, x2: { field: 'max' }, color: { value: 'black' } },
          },
        ],
      },
    });
  }
  return charts;
}
