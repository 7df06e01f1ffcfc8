import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { roundHalfEven } from './round-half-even';

// Written by tools/rank-allocator/round_half_even_fixture.py with Python's round().
const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/round-half-even.json', import.meta.url), 'utf8')) as {
  cases: { x: number; round: number }[];
  rProducts: { r: number; rho: number; round: number }[];
};

describe('roundHalfEven', () => {
  it('rounds halves to even like Python round', () => {
    expect([0.5, 1.5, 2.5, 4.5, 5.5, -2.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 6, -2]);
  });

  it('matches Python round() on the fixture values', () => {
    expect(fixture.cases.length).toBeGreaterThan(50);
    for (const { x, round } of fixture.cases) expect(roundHalfEven(x), `round(${x})`).toBe(round);
  });

  it('matches PEFT round(r * rho) for a grid of ranks and rho', () => {
    for (const { r, rho, round } of fixture.rProducts)
      expect(roundHalfEven(r * rho), `round(${r} * ${rho})`).toBe(round);
  });

  it('returns +0 rather than -0 and throws on non-finite input', () => {
    expect(Object.is(roundHalfEven(-0.4), 0)).toBe(true);
    expect(() => roundHalfEven(Number.NaN)).toThrow('roundHalfEven needs a finite number, got NaN');
    expect(() => roundHalfEven(-Infinity)).toThrow(/-Infinity/);
  });
});
