import { describe, expect, it } from 'vitest';
import { aggregateCompare } from './aggregate-compare';
import type { CompareRun } from './compare-run';
import { compareTable } from './compare-table';

const metric = { name: 'validation loss', unit: 'nats/byte', higherIsBetter: false };

function run(
  method: string,
  learningRate: number,
  seed: number,
  values: readonly [number, number, number],
): CompareRun {
  return {
    method,
    learningRate,
    seed,
    trainableParameters: 1000,
    initSeconds: seed,
    trainSeconds: 10 * seed,
    curve: values.map((value, i) => ({ step: 10 * i, value })),
  };
}

// Baseline A: lr 0.1 finals 2.0, 2.2, 2.1 (mean 2.1) beats lr 0.01 (2.5). Method B: lr 0.01 finals 1.9, 2.0, 2.3
// (mean 2.0667) beats lr 0.1 (2.4).
const RUNS: CompareRun[] = [
  run('A', 0.1, 1, [3, 2.5, 2.0]),
  run('A', 0.1, 2, [3, 2.6, 2.2]),
  run('A', 0.1, 3, [3, 2.7, 2.1]),
  ...[1, 2, 3].map((s) => run('A', 0.01, s, [3, 2.8, 2.5])),
  ...[1, 2, 3].map((s) => run('B', 0.1, s, [3, 2.6, 2.4])),
  run('B', 0.01, 1, [3, 2.05, 1.9]),
  run('B', 0.01, 2, [3, 2.3, 2.0]),
  run('B', 0.01, 3, [3, 2.4, 2.3]),
];

describe('aggregateCompare', () => {
  const summary = aggregateCompare(RUNS, { methods: ['A', 'B'], baseline: 'A', metric, target: 2.15 });
  const a = summary.methods.find((m) => m.method === 'A');
  const b = summary.methods.find((m) => m.method === 'B');

  it('keeps each method at its best learning rate on the validation metric', () => {
    expect(a?.learningRate).toBe(0.1);
    expect(b?.learningRate).toBe(0.01);
    expect(b?.learningRateSearch.map((s) => [s.learningRate, s.seeds])).toEqual([
      [0.1, 3],
      [0.01, 3],
    ]);
    expect(b?.learningRateSearch[1]?.finalMean).toBeCloseTo(6.2 / 3, 12);
  });

  it('gives mean and sample std per step (hand arithmetic)', () => {
    // B at step 10: 2.05, 2.3, 2.4 -> mean 2.25; squared deviations 0.04 + 0.0025 + 0.0225 = 0.065; / 2.
    const at10 = b?.curve.find((c) => c.step === 10);
    expect(at10?.mean).toBeCloseTo(2.25, 12);
    expect(at10?.std).toBeCloseTo(Math.sqrt(0.0325), 12);
    expect(a?.final.mean).toBeCloseTo(2.1, 12);
    expect(a?.final.std).toBeCloseTo(0.1, 12);
    expect(a?.initSeconds.mean).toBeCloseTo(2, 12);
    expect(a?.trainSeconds.std).toBeCloseTo(10, 12);
  });

  it('counts steps to the target over the seeds that reach it', () => {
    // target 2.15 (loss, lower is better). A: steps 20, never, 20. B: 10, 20, never.
    expect(a?.stepsToTarget).toEqual({ mean: 20, reached: 2, of: 3 });
    expect(b?.stepsToTarget).toEqual({ mean: 15, reached: 2, of: 3 });
  });

  it('pairs B - A by seed with a 95% t-interval (hand arithmetic)', () => {
    // d = 1.9-2.0, 2.0-2.2, 2.3-2.1 = -0.1, -0.2, +0.2: mean -1/30; s^2 = 13/300; half = t_{0.975,2} * sqrt(13/900).
    const c = b?.versusBaseline;
    const half = 4.302652729749462 * Math.sqrt(13 / 900);
    expect(c?.n).toBe(3);
    expect(c?.meanDifference).toBeCloseTo(-1 / 30, 12);
    expect(c?.stdDifference).toBeCloseTo(Math.sqrt(13 / 300), 12);
    expect(c?.low as number).toBeCloseTo(-1 / 30 - half, 9);
    expect(c?.high as number).toBeCloseTo(-1 / 30 + half, 9);
    // scipy.stats.ttest_rel([1.9, 2.0, 2.3], [2.0, 2.2, 2.1]).confidence_interval(0.95):
    expect(c?.low as number).toBeCloseTo(-0.5504478345875596, 9);
    expect(c?.high as number).toBeCloseTo(0.4837811679208926, 9);
    expect(a?.versusBaseline).toBeNull();
  });

  it('defaults the target to the baseline mean final value, and prints a Markdown row per method', () => {
    const byDefault = aggregateCompare(RUNS, { methods: ['A', 'B'], baseline: 'A', metric });
    expect(byDefault.target).toBeCloseTo(2.1, 12);
    const table = compareTable(summary);
    expect(table).toContain(
      '| A | 0.1 | 1,000 | 3.0000 ± 0.0000 | 2.6000 ± 0.1000 | 2.1000 ± 0.1000 | (baseline) | 20.0 (2/3) |',
    );
    expect(table).toContain(
      `| B | 0.01 | 1,000 | 3.0000 ± 0.0000 | 2.2500 ± ${Math.sqrt(0.0325).toFixed(4)} | 2.0667 ± `,
    );
    expect(table).toContain('-0.0333 [-0.5504, +0.4838]');
  });
});

describe('aggregateCompare with a secondary metric', () => {
  const f1 = { name: 'F1', unit: 'F1 score', higherIsBetter: true };
  // F1 at the last step, chosen learning rates only: A (lr 0.1) 0.80, 0.90, 0.85; B (lr 0.01) 0.70, 0.95, (seed 3 stored
  // before secondary metrics existed: no secondaryCurves). B at lr 0.1 reports 0 everywhere, and must not count.
  const finalF1 = new Map([
    ['A/0.1/1', 0.8],
    ['A/0.1/2', 0.9],
    ['A/0.1/3', 0.85],
    ['B/0.01/1', 0.7],
    ['B/0.01/2', 0.95],
  ]);
  const runs = RUNS.map((r): CompareRun => {
    if (r.method === 'B' && r.learningRate === 0.01 && r.seed === 3) return r;
    const last = finalF1.get(`${r.method}/${r.learningRate}/${r.seed}`) ?? 0;
    return { ...r, secondaryCurves: { F1: r.curve.map((p, i) => ({ step: p.step, value: i === 2 ? last : 0.5 })) } };
  });
  const summary = aggregateCompare(runs, { methods: ['A', 'B'], baseline: 'A', metric, secondaryMetrics: [f1] });
  const a = summary.methods.find((m) => m.method === 'A');
  const b = summary.methods.find((m) => m.method === 'B');

  it('summarises the final value over the runs that report it, paired with the baseline by seed (hand arithmetic)', () => {
    expect(summary.secondaryMetrics).toEqual([f1]);
    expect(a?.secondary?.[0]?.final.mean).toBeCloseTo(0.85, 12);
    expect(a?.secondary?.[0]?.final.std).toBeCloseTo(0.05, 12);
    expect(a?.secondary?.[0]?.versusBaseline).toBeNull();
    expect(b?.secondary?.[0]?.final.n).toBe(2);
    expect(b?.secondary?.[0]?.final.mean).toBeCloseTo(0.825, 12);
    // d = 0.70 - 0.80, 0.95 - 0.90 = -0.10, +0.05: mean -0.025, s = sqrt(0.01125); t_{0.975,1} = 12.7062047361747.
    const c = b?.secondary?.[0]?.versusBaseline;
    expect(c?.n).toBe(2);
    expect(c?.meanDifference).toBeCloseTo(-0.025, 12);
    expect(c?.high as number).toBeCloseTo(-0.025 + (12.7062047361747 * Math.sqrt(0.01125)) / Math.sqrt(2), 9);
    // the learning rate is still picked on the main metric alone
    expect(b?.learningRate).toBe(0.01);
  });

  it('adds two columns per secondary metric to the table, and none without', () => {
    const table = compareTable(summary);
    expect(table).toContain('| Δ vs A [95% CI] | F1, final | Δ F1 [95% CI] | steps to');
    expect(table).toContain('| (baseline) | 0.8500 ± 0.0500 | (baseline) |');
    expect(table).toContain('| B | 0.01 |');
    expect(table).toContain('| 0.8250 ± 0.1768 | -0.0250 [');
    expect(table.split('\n')[0]).toContain('also F1 (F1 score, higher is better) at the last step');
    const plain = aggregateCompare(runs, { methods: ['A', 'B'], baseline: 'A', metric });
    expect(plain.secondaryMetrics).toBeUndefined();
    expect(plain.methods.every((m) => m.secondary === undefined)).toBe(true);
    expect(compareTable(plain)).not.toContain('F1');
  });
});
