import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { maxRanksFor } from './max-ranks-for';

const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/round-half-even.json', import.meta.url), 'utf8')) as {
  rProducts: { r: number; rho: number; round: number }[];
};

describe('maxRanksFor', () => {
  it('is min(round(r * rho), limit) per layer, as PEFT (Python round)', () => {
    for (const { r, rho, round } of fixture.rProducts) {
      expect(maxRanksFor(r, rho, { a: Infinity, b: 5 })).toEqual({ a: round, b: Math.min(round, 5) });
    }
  });

  it('takes per-layer ranks and rho = 1 gives r', () => {
    expect(maxRanksFor({ q: 3, v: 5, extra: 7 }, 1.5, { q: 100, v: 100 })).toEqual({ q: 4, v: 8 });
    expect(maxRanksFor({ q: 3, v: 5 }, 1, { q: 100, v: 4 })).toEqual({ q: 3, v: 4 });
  });

  it('rejects bad rho, r and limits with the field named', () => {
    expect(() => maxRanksFor(8, 0.5, { a: 1 })).toThrow(/rho must be a finite number >= 1, got 0.5/);
    expect(() => maxRanksFor(8, Number.NaN, { a: 1 })).toThrow(/rho/);
    expect(() => maxRanksFor(0, 2, { a: 1 })).toThrow(/r for layer "a" is 0; r must be an integer >= 1/);
    expect(() => maxRanksFor({ a: 4 }, 2, { a: 1, b: 2 })).toThrow(/r for layer "b" is missing/);
    expect(() => maxRanksFor(4, 2, { a: -1 })).toThrow(/limit for layer "a" is -1/);
  });
});
