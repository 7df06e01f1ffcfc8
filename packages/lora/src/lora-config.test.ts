import { describe, expect, it } from 'vitest';
import { parseLoraConfig } from './lora-config';

describe('parseLoraConfig', () => {
  it('fills PEFT defaults and freezes the result', () => {
    const c = parseLoraConfig({});
    expect(c.r).toBe(8);
    expect(c.alpha).toBe(8);
    expect(c.dropout).toBe(0);
    expect(c.variant).toBe('lora');
    expect(c.init).toEqual({ name: 'kaiming', options: {} });
    expect(c.targetModules).toEqual({ kind: 'all-linear' });
    expect(c.adapterName).toBe('default');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.rankPattern)).toBe(true);
  });

  it('never mutates the caller object and copies patterns', () => {
    const input = {
      r: 4,
      targetModules: ['q_proj'],
      rankPattern: { q_proj: 2 },
      init: { name: 'pissa', options: { niter: 2 } },
    };
    const snapshot = JSON.stringify(input);
    const c = parseLoraConfig(input);
    expect(JSON.stringify(input)).toBe(snapshot);
    input.rankPattern.q_proj = 3;
    expect(c.rankPattern).toEqual({ q_proj: 2 });
    expect(c.init).toEqual({ name: 'pissa', options: { niter: 2 } });
    expect(c.targetModules).toEqual({ kind: 'names', names: ['q_proj'] });
  });

  it('maps useDora to the dora variant and strings to regex targets', () => {
    expect(parseLoraConfig({ useDora: true }).variant).toBe('dora');
    const c = parseLoraConfig({ targetModules: '.*attn\\.(q|v)_proj' });
    expect(c.targetModules.kind).toBe('regex');
  });

  it.each([
    [{ r: 0 }, /\br must be an integer >= 1/],
    [{ r: -2 }, /\br must be/],
    [{ r: 2.5 }, /\br must be/],
    [{ alpha: Number.NaN }, /alpha must be/],
    [{ dropout: 1 }, /dropout must be in \[0, 1\)/],
    [{ dropout: -0.1 }, /dropout/],
    [{ rankPattern: { q: -1 } }, /rankPattern\["q"\]/],
    [{ alphaPattern: { q: Number.POSITIVE_INFINITY } }, /alphaPattern\["q"\]/],
    [{ targetModules: [] }, /targetModules/],
    [{ targetModules: '(' }, /targetModules "\(" .* does not parse/],
    [{ useRslora: 'yes' }, /useRslora must be a boolean/],
    [{ adapterName: 'a.b' }, /adapterName/],
    [{ init: { name: 'pissa', options: { niter: -1 } } }, /init\.options\.niter/],
    [{ init: { name: 'kaiming', options: { scale: 2 } } }, /init\.options\.scale is not an option of the "kaiming"/],
    [{ variant: 'vera' }, /Unknown LoRA variant "vera"; registered: lora, dora/],
    [{ rank: 4 }, /unknown field "rank"/],
  ])('rejects %j naming the field', (input, message) => {
    expect(() => parseLoraConfig(input as never)).toThrow(message);
  });

  it('an unknown initialiser lists the registered ones', () => {
    expect(() => parseLoraConfig({ init: 'loftq' })).toThrow(
      /Unknown LoRA initialiser "loftq"; registered: kaiming, gaussian, pissa, olora, orthogonal, eva/,
    );
  });
});
