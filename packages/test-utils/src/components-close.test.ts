import { describe, expect, it } from 'vitest';
import { componentCosines, expectComponentsClose, separatedComponents } from './components-close';

// Rows of a rotation of the plane (e1, e2) by `angle`, padded to d = 3.
const rotated = (angle: number): number[][] => [
  [Math.cos(angle), Math.sin(angle), 0],
  [-Math.sin(angle), Math.cos(angle), 0],
];
const identity = [
  [1, 0, 0],
  [0, 1, 0],
];

describe('expectComponentsClose', () => {
  it('accepts rows equal up to sign and scale, flat or as row arrays, and reports the worst |cos|', () => {
    const flipped = [-2, 0, 0, 0, 0.5, 0];
    expect(expectComponentsClose(flipped, identity, { cols: 3, minAbsCos: 1 - 1e-12 })).toEqual({
      compared: 2,
      worstAbsCos: 1,
    });
    const result = expectComponentsClose(rotated(0.1), identity, { minAbsCos: 0.99 });
    expect(result.worstAbsCos).toBeCloseTo(Math.cos(0.1), 12);
  });

  it('fails, naming the component, when a row is turned further than minAbsCos allows', () => {
    expect(() => expectComponentsClose(rotated(0.2), identity, { minAbsCos: 0.99, label: 'h.0' })).toThrow(
      /h\.0: \|cos\| of component 0/,
    );
  });

  it('compares only the rows asked for, and with sameSign also the signs', () => {
    const secondOff = [
      [1, 0, 0],
      [0, 0, 1],
    ];
    expect(() => expectComponentsClose(secondOff, identity, { minAbsCos: 0.99 })).toThrow(/component 1/);
    expect(expectComponentsClose(secondOff, identity, { minAbsCos: 0.99, rows: [0] }).compared).toBe(1);
    expect(() => expectComponentsClose([[-1, 0, 0]], [[1, 0, 0]], { minAbsCos: 0.99, sameSign: true })).toThrow(
      /sign of component 0/,
    );
  });

  it('throws on missing rows, zero rows and a flat matrix without cols', () => {
    expect(() => expectComponentsClose([[1, 0, 0]], identity, { minAbsCos: 0.9 })).toThrow(/component 1 is missing/);
    expect(() => expectComponentsClose([[0, 0, 0]], [[1, 0, 0]], { minAbsCos: 0.9 })).toThrow(/zero norm/);
    expect(() => expectComponentsClose([1, 0, 0], [1, 0, 0], { minAbsCos: 0.9 })).toThrow(/pass \{ cols: d \}/);
  });
});

describe('separatedComponents', () => {
  it('keeps the indices whose singular value is apart from both neighbours by more than the ratio', () => {
    // 10 | 5, 4.9 tied | 2 | 1.01 and 1 tied
    expect(separatedComponents([10, 5, 4.9, 2, 1.01, 1], 1.05)).toEqual([0, 3]);
    expect(separatedComponents([3], 1.05)).toEqual([0]);
    expect(separatedComponents([], 1.05)).toEqual([]);
    expect(() => separatedComponents([1], 1)).toThrow(/minRatio/);
  });
});

describe('componentCosines', () => {
  it('gives the signed cosine of each requested row pair', () => {
    const cosines = componentCosines(
      [
        [-1, 0, 0],
        [1, 1, 0],
      ],
      identity,
      {},
    );
    expect(cosines[0]).toBe(-1);
    expect(cosines[1]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(componentCosines([0, 2, 0, 1, 0, 0], identity, { cols: 3, rows: [1] })).toEqual([0]);
  });
});
