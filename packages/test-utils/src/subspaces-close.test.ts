import { describe, expect, it } from 'vitest';
import { expectSubspacesClose, principalAngleCosines } from './subspaces-close';

describe('principalAngleCosines', () => {
  it('is 1 for two bases of one subspace and cos(theta) for a plane tilted by theta', () => {
    const plane = [
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ];
    const otherBasis = [
      [3, 4, 0, 0],
      [-1, 1, 0, 0],
    ];
    for (const c of principalAngleCosines(plane, otherBasis)) expect(c).toBeCloseTo(1, 12);
    const theta = 0.3;
    const tilted = [
      [1, 0, 0, 0],
      [0, Math.cos(theta), Math.sin(theta), 0],
    ];
    const cosines = principalAngleCosines(plane, tilted);
    expect(cosines[0]).toBeCloseTo(1, 12);
    expect(cosines[1]).toBeCloseTo(Math.cos(theta), 12);
    // flat row-major input, and orthogonal subspaces
    expect(principalAngleCosines([0, 0, 1, 0, 0, 0, 0, 1], [1, 0, 0, 0, 0, 1, 0, 0], { cols: 4 })).toEqual([0, 0]);
  });

  it('gives min(k1, k2) cosines and rejects dependent rows', () => {
    expect(
      principalAngleCosines(
        [[1, 0, 0]],
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
      ),
    ).toEqual([1]);
    expect(() =>
      principalAngleCosines(
        [
          [1, 2, 0],
          [2, 4, 0],
        ],
        [[1, 0, 0]],
      ),
    ).toThrow(/row 1 of a depends/);
  });
});

describe('expectSubspacesClose', () => {
  const plane = [
    [1, 0, 0],
    [0, 1, 0],
  ];
  it('accepts a rotated basis of the same plane and fails for a tilted plane', () => {
    const spun = [
      [Math.cos(1), Math.sin(1), 0],
      [-Math.sin(1), Math.cos(1), 0],
    ];
    expect(expectSubspacesClose(spun, plane, { minCos: 1 - 1e-12 })).toBeCloseTo(1, 12);
    const tilted = [
      [1, 0, 0],
      [0, Math.cos(0.2), Math.sin(0.2)],
    ];
    expect(() => expectSubspacesClose(tilted, plane, { minCos: 0.99, label: 'top-2' })).toThrow(
      /top-2: cos of the largest principal angle/,
    );
    expect(() => expectSubspacesClose([[1, 0, 0]], plane, { minCos: 0.9 })).toThrow(/dimension 1 and 2/);
  });
});
