import { describe, expect, it } from 'vitest';
import { createRegistry } from './create-registry';
import { isPeftjsError } from './peftjs-error';

describe('createRegistry', () => {
  it('lists built-ins first, then user entries; protects built-ins; removes exactly one registration', () => {
    const registry = createRegistry<number>({
      kind: 'widget',
      builtIns: [
        ['one', 1],
        ['two', 2],
      ],
      registerHint: 'registerWidget(name, n)',
    });
    const remove = registry.register('three', 3);
    expect(registry.names()).toEqual(['one', 'two', 'three']);
    expect(registry.entries()).toEqual([
      ['one', 1],
      ['two', 2],
      ['three', 3],
    ]);
    expect(registry.get('three')).toBe(3);
    registry.register('three', 33); // a user name registered again replaces it (default)
    remove(); // the first registration is gone already: nothing happens
    expect(registry.get('three')).toBe(33);
    expect(() => registry.register('one', 9)).toThrow(
      '"one" is a built-in widget and cannot be replaced; pick another name',
    );
    expect(registry.unregister('one')).toBe(false);
    expect(registry.unregister('three')).toBe(true);
    expect(registry.find('three')).toBeUndefined();
    let error: unknown;
    try {
      registry.get('four');
    } catch (e) {
      error = e;
    }
    expect(isPeftjsError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('E_UNKNOWN_NAME');
    expect((error as Error).message).toBe(
      'Unknown widget "four"; registered: one, two. Register your own with registerWidget(name, n).',
    );
  });

  it("refuses duplicates, bad names and bad values when asked, with the caller's error type", () => {
    class WidgetError extends Error {
      constructor(
        readonly reason: string,
        message: string,
      ) {
        super(message);
      }
    }
    const registry = createRegistry<number>({
      kind: 'widget',
      onDuplicate: 'error',
      validate: (n) => (Number.isInteger(n) ? null : 'must be an integer'),
      createError: (reason, message) => new WidgetError(reason, message),
      unknownCode: 'E_UNKNOWN_WIDGET',
    });
    registry.register('a', 1);
    expect(() => registry.register('a', 2)).toThrow(expect.objectContaining({ reason: 'duplicate' }));
    expect(() => registry.register('1a', 2)).toThrow(expect.objectContaining({ reason: 'invalid-name' }));
    expect(() => registry.register('b', 0.5)).toThrow('widget "b": must be an integer');
    expect(() => registry.get('zz')).toThrow(expect.objectContaining({ reason: 'unknown' }));
  });
});
