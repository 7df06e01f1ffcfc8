import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('has plausible uniform and normal moments', () => {
    const rng = new Rng('moments');
    const n = 20000;
    const u = rng.uniformArray(n);
    const z = rng.normalArray(n);
    const mean = (xs: Float32Array) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const varOf = (xs: Float32Array) => {
      const m = mean(xs);
      return xs.reduce((s, v) => s + (v - m) ** 2, 0) / xs.length;
    };
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(varOf(u) - 1 / 12)).toBeLessThan(0.003);
    expect(Math.abs(mean(z))).toBeLessThan(0.03);
    expect(Math.abs(varOf(z) - 1)).toBeLessThan(0.04);
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
  });

  it('restores its exact state, including a cached normal', () => {
    const rng = new Rng(7);
    rng.normal();
    const state = rng.getState();
    const next = [rng.normal(), rng.normal(), rng.uniform()];
    const other = new Rng(999);
    other.setState(JSON.parse(JSON.stringify(state)));
    expect([other.normal(), other.normal(), other.uniform()]).toEqual(next);
  });

  it('shuffles into a permutation and derives independent streams', () => {
    const p = new Rng(1).permutation(50);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Rng.derive(1, 'a').nextUint32()).not.toBe(Rng.derive(1, 'b').nextUint32());
    expect(() => new Rng(1).int(0)).toThrow(/positive integer/);
  });
});
