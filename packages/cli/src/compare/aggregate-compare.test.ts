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
