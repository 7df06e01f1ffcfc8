import { describe, expect, it } from 'vitest';

import { ConvergenceTracker } from './convergence-tracker';

describe('ConvergenceTracker', () => {
  it('reports signed cosines against the previous update and converges per prefix', () => {
    const tracker = new ConvergenceTracker({ tau: 0.99 });
    expect(tracker.update(Float32Array.from([1, 0, 0, 0, 1, 0]), 2)).toBeNull();
    expect(tracker.isConverged(1)).toBe(false);
    const c = Math.cos(0.5);
    const s = Math.sin(0.5);
    const sims = tracker.update(Float64Array.from([1, 0, 0, 0, c, s]), 2);
    expect(Array.from(sims ?? [])).toEqual([1, c]);
    expect(tracker.isConverged(0)).toBe(true);
    expect(tracker.isConverged(1)).toBe(true);
    expect(tracker.isConverged(2)).toBe(false);
    expect(tracker.isConverged(3)).toBe(false);
    tracker.update(Float64Array.from([-1, 0, 0, 0, c, s]), 2);
    expect(tracker.similarities?.[0]).toBe(-1); // signed: a flipped component is not converged
    expect(tracker.isConverged(1)).toBe(false);
    expect(tracker.updates).toBe(3);
  });

  it('compares the shared prefix when the component count changes, and validates input', () => {
    const tracker = new ConvergenceTracker();
    expect(tracker.tau).toBe(0.99);
    tracker.update(Float32Array.from([1, 0, 0, 1]), 2);
    expect(Array.from(tracker.update(Float32Array.from([1, 0]), 1) ?? [])).toEqual([1]);
    expect(() => tracker.update(Float32Array.from([1, 0, 0]), 1)).toThrow(/width 3 but earlier ones had 2/);
    expect(() => tracker.update(Float32Array.from([1, 0, 0]), 2)).toThrow(/3 values cannot be 2 rows/);
    expect(() => new ConvergenceTracker({ tau: 1.5 })).toThrow(/tau must be a number in \[0, 1\]/);
    tracker.reset();
    expect(tracker.similarities).toBeNull();
  });
});
