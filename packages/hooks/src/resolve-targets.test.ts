import { beforeAll, describe, expect, it } from 'vitest';
import { Linear, setBackend } from '@peftjs/core';
import { matchesTarget, resolveTargets } from './resolve-targets';
import { TinyTransformer } from './tiny-transformer.test-support';

beforeAll(async () => {
  await setBackend('wasm');
});

const names = (model: TinyTransformer, t?: Parameters<typeof resolveTargets>[1]) =>
  resolveTargets(model, t).map((r) => r.name);

describe('resolveTargets', () => {
  const model = new TinyTransformer({ layers: 2 });

  it('matches names as PEFT: the whole path or a dotted suffix, in module order', () => {
    expect(names(model, ['q_proj', 'fc'])).toEqual(['h.0.attn.q_proj', 'h.0.mlp.fc', 'h.1.attn.q_proj', 'h.1.mlp.fc']);
    expect(names(model, 'attn.v_proj')).toEqual(['h.0.attn.v_proj', 'h.1.attn.v_proj']);
    expect(names(model, 'h.1.mlp.proj')).toEqual(['h.1.mlp.proj']);
    // "proj" is not a dotted suffix of "q_proj": only the MLP's proj layers match
    expect(names(model, 'proj')).toEqual(['h.0.mlp.proj', 'h.1.mlp.proj']);
    expect(matchesTarget('h.0.attn.q_proj', 'attn.q_proj')).toBe(true);
    expect(matchesTarget('h.0.attn.q_proj', '0.attn')).toBe(false);
  });

  it('requires a RegExp to match the whole path (re.fullmatch)', () => {
    expect(matchesTarget('h.0.attn.q_proj', /q_proj/)).toBe(false);
    expect(matchesTarget('h.0.attn.q_proj', /.*q_proj/)).toBe(true);
    expect(matchesTarget('h.0.attn.q_proj', /h\.0\.attn\.(q|k)_proj|x/g)).toBe(true);
    expect(names(model, /h\.1\..*_proj/)).toEqual([
      'h.1.attn.q_proj',
      'h.1.attn.k_proj',
      'h.1.attn.v_proj',
      'h.1.attn.o_proj',
    ]);
  });

  it('defaults to every Linear, and accepts a predicate', () => {
    const all = [...model.namedModules()].filter(([, m]) => m instanceof Linear).map(([p]) => p);
    expect(all).toHaveLength(2 * 6 + 1);
    expect(names(model)).toEqual(all);
    expect(names(model, (p, m) => m instanceof Linear && !p.startsWith('lm_head'))).toEqual(all.slice(0, -1));
  });

  it('names every target that matched nothing, on one line, and suggests close module names', () => {
    const message = (() => {
      try {
        resolveTargets(model, ['atn', 'fcc']);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    })();
    expect(message).toMatch(/^2 targets match no module of the model: "atn" .*; "fcc" /);
    expect(message).not.toContain('\n');
    expect(() => resolveTargets(model, ['q_proj', 'atn', 'fcc', /attn/])).toThrowError(
      /3 targets match no module[\s\S]*"atn" \(did you mean "attn"[\s\S]*"fcc" \(did you mean "fc"\?\)[\s\S]*\/attn\/ matches no full module path/,
    );
    expect(() => resolveTargets(model, ['vproj'])).toThrowError(
      /"vproj" \(did you mean "proj", "v_proj", "k_proj"\?\)/,
    );
    expect(() => resolveTargets(model, ['zzzzzzzz'])).toThrowError(/"zzzzzzzz" \(module names: wte, h, ln_1, attn/);
    expect(() => resolveTargets(model, [])).toThrowError(/empty list/);
    expect(() => resolveTargets(model, () => false)).toThrowError(/predicate selected no module/);
  });
});
