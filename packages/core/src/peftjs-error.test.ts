import { describe, expect, it } from 'vitest';
import { PeftjsError, isPeftjsError } from './peftjs-error';

describe('PeftjsError', () => {
  it('keeps its code, message and cause, and is an Error', () => {
    const cause = new Error('inner');
    const error = new PeftjsError('E_CONFIG', 'bad "r": -1; use a positive integer', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('E_CONFIG');
    expect(error.message).toBe('bad "r": -1; use a positive integer');
    expect(error.cause).toBe(cause);
    expect(isPeftjsError(error)).toBe(true);
  });

  it('subclasses keep the base', () => {
    class ThingError extends PeftjsError {
      constructor(message: string) {
        super('E_THING', message);
        this.name = 'ThingError';
      }
    }
    const error = new ThingError('x');
    expect(error).toBeInstanceOf(PeftjsError);
    expect(error.name).toBe('ThingError');
    expect(isPeftjsError(error)).toBe(true);
  });

  it('rejects a code that is not E_ + upper case, and tells internal errors apart', () => {
    expect(() => new PeftjsError('config', 'x')).toThrow(TypeError);
    expect(isPeftjsError(new Error('boom'))).toBe(false);
    expect(isPeftjsError('E_CONFIG')).toBe(false);
  });
});
