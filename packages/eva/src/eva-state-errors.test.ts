import { describe, expect, it } from 'vitest';
import { encodeSafetensors, isPeftjsError } from '@peftjs/core';
import { decodeEvaState } from './eva-state-io';

/** The error `fn` throws (fails the test when it throws nothing). */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('decodeEvaState on a file that is not an EVA state', () => {
  const tensor = { dtype: 'F32' as const, shape: [1, 2], data: new Float32Array([1, 2]) };

  it('a safetensors file without EVA metadata is an E_EVA PeftjsError (the CLI prints it on one line, exit 2)', () => {
    const error = thrown(() => decodeEvaState(encodeSafetensors({ w: tensor })));
    expect(isPeftjsError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('E_EVA');
    expect((error as Error).message).toMatch(/not written by saveEvaState; its tensors: w/);
  });

  it('metadata that is not JSON is an E_EVA PeftjsError, not a SyntaxError', () => {
    const error = thrown(() => decodeEvaState(encodeSafetensors({ w: tensor }, { peftjs_eva: '{not json' })));
    expect(isPeftjsError(error)).toBe(true);
    expect((error as Error).message).toMatch(/not valid JSON; the file is corrupt/);
  });
});
