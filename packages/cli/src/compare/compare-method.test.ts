import { registerInitializer, unregisterInitializer, getInitializer } from '@peftjs/lora';
import { createUniformAllocator, registerRankAllocator } from '@peftjs/rank-allocator';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli';
import { parseCompareMethod } from './compare-method';

describe('parseCompareMethod', () => {
  it('reads initialisers and eva with an allocator and rho', () => {
    expect(parseCompareMethod('pissa')).toEqual({ kind: 'lora', label: 'pissa', init: 'pissa' });
    expect(parseCompareMethod('eva')).toEqual({ kind: 'eva', label: 'eva', allocator: undefined, rho: undefined });
    expect(parseCompareMethod('eva:uniform:rho=1.5')).toEqual({
      kind: 'eva',
      label: 'eva:uniform:rho=1.5',
      allocator: 'uniform',
      rho: 1.5,
    });
    expect(() => parseCompareMethod('eva:rho=0.5')).toThrow(/rho must be a number >= 1/);
    expect(() => parseCompareMethod('kaiming:rho=2')).toThrow(/only eva takes them/);
  });

  it('accepts user-registered initialisers and allocators through the registries', () => {
    registerInitializer('myInit', getInitializer('kaiming'));
    const unregister = registerRankAllocator('myAllocator', (options) => createUniformAllocator(options));
    try {
      expect(parseCompareMethod('myInit')).toEqual({ kind: 'lora', label: 'myInit', init: 'myInit' });
      expect(parseCompareMethod('eva:myAllocator')).toMatchObject({ kind: 'eva', allocator: 'myAllocator' });
    } finally {
      unregisterInitializer('myInit');
      unregister();
    }
    expect(() => parseCompareMethod('myInit')).toThrow(/unknown method "myInit"/);
  });

  it('is a registered command with its own help', async () => {
    let out = '';
    const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } };
    expect(await runCli(['compare', '--help'], io)).toBe(0);
    expect(out).toContain('Usage: peftjs compare');
    out = '';
    await runCli(['--help'], io);
    expect(out).toContain('compare     compare LoRA initialisations');
  });
});
