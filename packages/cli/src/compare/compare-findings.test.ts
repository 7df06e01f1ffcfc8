import { describe, expect, it } from 'vitest';
import { aggregateCompare } from './aggregate-compare';
import { compareFindings } from './compare-findings';
import type { CompareRun } from './compare-run';

const loss = { name: 'validation loss', unit: 'nats/byte', higherIsBetter: false };
const accuracy = { name: 'accuracy', unit: 'fraction', higherIsBetter: true };

function run(method: string, seed: number, final: number, initSeconds = 0): CompareRun {
  return {
    method,
    learningRate: 0.01,
    seed,
    trainableParameters: 1000,
    initSeconds,
    trainSeconds: 9,
    curve: [
      { step: 0, value: 3 },
      { step: 10, value: final },
    ],
  };
}

describe('compareFindings', () => {
  // kaiming finals 2.0, 2.2, 2.1; eva 1.9, 2.1, 2.0 (every pair -0.1: interval [-0.1, -0.1]);
  // pissa 2.1, 2.1, 2.1 (differences +0.1, -0.1, 0: mean 0, interval contains 0).
  const runs = [1, 2, 3].flatMap((s) => [
    run('kaiming', s, [2.0, 2.2, 2.1][s - 1] as number),
    run('eva', s, [1.9, 2.1, 2.0][s - 1] as number, 1),
    run('pissa', s, 2.1),
  ]);
  const methods = ['kaiming', 'eva', 'pissa'];

  it('calls a method better only when the whole interval is on its side, and reports EVA init share', () => {
    const lines = compareFindings(aggregateCompare(runs, { methods, baseline: 'kaiming', metric: loss }));
    expect(lines[0]).toBe(
      'eva vs kaiming: -0.1000 nats/byte, 95% interval [-0.1000, -0.1000] over 3 seeds: eva is better than kaiming here.',
    );
    expect(lines[1]).toMatch(
      /^pissa vs kaiming: [+-]0\.0000 nats\/byte, 95% interval \[-0\.\d+, \+0\.\d+\] over 3 seeds: it contains 0, so these seeds cannot tell them apart\.$/,
    );
    expect(lines[2]).toBe('Best mean final validation loss: eva (2.0000 ± 0.1000 nats/byte).');
    // init 1 s, training 9 s: 10%
    expect(lines[3]).toBe('eva init: 1.00 s on average, 10.0% of its init + training time.');
  });

  it('reads "better" the other way for a metric where higher is better', () => {
    const lines = compareFindings(aggregateCompare(runs, { methods, baseline: 'kaiming', metric: accuracy }));
    expect(lines[0]).toMatch(/: eva is worse than kaiming here\.$/);
    // kaiming and pissa both average 2.1 (a tie up to rounding); eva's 2.0 is the worst here
    expect(lines[2]).toMatch(/^Best mean final accuracy: (kaiming|pissa) \(2\.1000 /);
  });

  it('says a single seed allows no conclusion', () => {
    const one = runs.filter((r) => r.seed === 1);
    const lines = compareFindings(aggregateCompare(one, { methods, baseline: 'kaiming', metric: loss }));
    expect(lines[0]).toBe(
      'eva vs kaiming: -0.1000 nats/byte on 1 seed: no interval, so nothing can be concluded (use --seeds 3 or more).',
    );
  });
});
