import { describe, expect, it } from 'vitest';
import { assertFinite, countNonFinite, NonFiniteError } from './non-finite';
import { isPeftjsError } from './peftjs-error';

describe('non-finite values', () => {
  it('counts NaN and both infinities, and finds the first', () => {
    expect(countNonFinite(Float32Array.from([1, 0, -2.5, 3e38]))).toEqual({ count: 0, first: -1 });
    expect(countNonFinite([1, Number.NaN, 2, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toEqual({
      count: 3,
      first: 1,
    });
  });

  it('assertFinite names the subject in a PeftjsError with code E_NON_FINITE', () => {
    expect(() => assertFinite([1, 2], 'tensor "w"', 'fix it')).not.toThrow();
    try {
      assertFinite([1, Number.NaN], 'tensor "w"', 'fix it');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(NonFiniteError);
      expect(isPeftjsError(error) && error.code).toBe('E_NON_FINITE');
      expect((error as NonFiniteError).subject).toBe('tensor "w"');
      expect((error as Error).message).toBe(
        'tensor "w" holds 1 NaN or infinite value(s) of 2 (first at flat index 1: NaN); fix it',
      );
    }
  });
});
