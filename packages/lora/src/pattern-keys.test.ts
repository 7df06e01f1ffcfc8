import { Linear, Module } from '@peftjs/core';
import { describe, expect, it } from 'vitest';
import { resolveLoraTargets } from './inject-adapters';
import { isPeftjsError } from '@peftjs/core';
import type { LoraConfigInput } from './lora-config';

// Issue 15, "pattern keys": rankPattern / alphaPattern follow PEFT 0.21's get_pattern_key,
// re.match(rf"(.*\.)?({key})$", module_name), first matching key in insertion order; a key that
// applies to no targeted layer is an error naming it (PEFT 0.21 warns, PR #3588).

class Container extends Module {
  forward(): never {
    throw new Error('container');
  }
}

/** A module tree with exactly these Linear paths (containers created on the way). */
function treeOf(paths: readonly string[], width = 32): Module {
  const root = new Container();
  for (const path of paths) {
    const parts = path.split('.');
    let node: Module = root;
    parts.forEach((part, i) => {
      const existing = [...node.children()].find(([name]) => name === part)?.[1] as Module | undefined;
      const next =
        existing ?? node.registerModule(part, i === parts.length - 1 ? new Linear(width, width) : new Container());
      node = next as Module;
    });
  }
  return root;
}

const ranksOf = (model: Module, config: LoraConfigInput): Record<string, number> =>
  Object.fromEntries(resolveLoraTargets(model, config).map((t) => [t.path, t.r]));
const alphasOf = (model: Module, config: LoraConfigInput): Record<string, number> =>
  Object.fromEntries(resolveLoraTargets(model, config).map((t) => [t.path, t.alpha]));

describe('rank/alpha pattern keys with PEFT semantics', () => {
  // PEFT's own expectations (tests/test_tuners_utils.py, TestRankAndAlphaPattern, PR #2419), default r = 8.
  const OUTER = ['foo', 'bar', 'module.foo', 'module.foobar', 'module.module.foo', 'module.module.barfoo'];
  const cases: [Record<string, number>, number[]][] = [
    [{ foo: 16 }, [16, 8, 16, 8, 16, 8]],
    [{ '^foo': 16 }, [16, 8, 8, 8, 8, 8]],
    [{ '^module.foo': 16 }, [8, 8, 16, 8, 8, 8]],
    [{ 'module.module.foo': 16 }, [8, 8, 8, 8, 16, 8]],
    [{ '^module.module.foo': 16 }, [8, 8, 8, 8, 16, 8]],
    [{ 'module.foo': 16 }, [8, 8, 16, 8, 16, 8]],
    [{ '^module.foo': 16, '^module.module.foo': 24 }, [8, 8, 16, 8, 24, 8]],
    [{ '^foo': 16, '^module.foo': 24 }, [16, 8, 24, 8, 8, 8]],
    [{ '^foo': 16, 'module.module.foo': 24 }, [16, 8, 8, 8, 24, 8]],
    [{ '^foo': 16, '^module.foo': 24, '^module.module.foo': 32 }, [16, 8, 24, 8, 32, 8]],
  ];
  it.each(cases)('rank_pattern %j gives the ranks PEFT asserts', (rankPattern, want) => {
    const model = treeOf(OUTER);
    expect(ranksOf(model, { r: 8, rankPattern })).toEqual(Object.fromEntries(OUTER.map((p, i) => [p, want[i]])));
  });

  const LLAMA = [0, 1].flatMap((i) => [
    `model.layers.${i}.self_attn.q_proj`,
    `model.layers.${i}.self_attn.v_proj`,
    `model.layers.${i}.mlp.up_proj`,
  ]);

  it('a suffix key or a fully-qualified anchored key sets alpha on model.layers.N.self_attn.q_proj', () => {
    const model = treeOf(LLAMA);
    const suffix = alphasOf(model, { targetModules: ['q_proj', 'v_proj'], alphaPattern: { q_proj: 100 } });
    expect(suffix).toEqual({
      'model.layers.0.self_attn.q_proj': 100,
      'model.layers.0.self_attn.v_proj': 8,
      'model.layers.1.self_attn.q_proj': 100,
      'model.layers.1.self_attn.v_proj': 8,
    });
    const anchored = alphasOf(model, {
      targetModules: ['q_proj', 'v_proj'],
      alphaPattern: { '^model\\.layers\\.0\\.self_attn\\.q_proj': 100 },
    });
    expect(anchored['model.layers.0.self_attn.q_proj']).toBe(100);
    expect(anchored['model.layers.1.self_attn.q_proj']).toBe(8);
  });

  it('alphaPattern { "^q_proj": 100 } matches no layer of a Llama (PEFT: only a top-level q_proj), so it is an error naming the key', () => {
    const model = treeOf(LLAMA);
    const run = () =>
      resolveLoraTargets(model, { targetModules: ['q_proj', 'v_proj'], alphaPattern: { '^q_proj': 100 } });
    expect(run).toThrow(/alphaPattern key "\^q_proj" matches no targeted layer/);
    expect(run).toThrow(/must spell the full module path \(e\.g\. "\^model\.layers\.0\.self_attn\.q_proj"\)/);
    try {
      run();
    } catch (error) {
      expect(isPeftjsError(error) && error.code).toBe('E_LORA_CONFIG');
      expect((error as { field?: string }).field).toBe('alphaPattern');
    }
  });

  it('a misspelled rankPattern { q_prj: 2 } is an error naming the key and suggesting q_proj', () => {
    const model = treeOf(LLAMA);
    expect(() => resolveLoraTargets(model, { targetModules: ['q_proj', 'v_proj'], rankPattern: { q_prj: 2 } })).toThrow(
      /rankPattern key "q_prj" matches no targeted layer.*Did you mean "q_proj"/,
    );
  });

  it('a key matching only layers that are not targeted is an error too', () => {
    const model = treeOf(LLAMA);
    expect(() => resolveLoraTargets(model, { targetModules: ['q_proj'], rankPattern: { up_proj: 2 } })).toThrow(
      /rankPattern key "up_proj" matches no targeted layer/,
    );
  });

  it('a key shadowed on every layer by an earlier key is an error (PEFT takes the first match)', () => {
    const model = treeOf(LLAMA);
    expect(() =>
      resolveLoraTargets(model, {
        targetModules: ['q_proj'],
        rankPattern: { q_proj: 2, 'layers.1.self_attn.q_proj': 4 },
      }),
    ).toThrow(
      /rankPattern key "layers\.1\.self_attn\.q_proj" applies to no layer: on "model\.layers\.1\.self_attn\.q_proj" the earlier key "q_proj" matches first/,
    );
    expect(
      ranksOf(model, { targetModules: ['q_proj'], rankPattern: { 'layers.1.self_attn.q_proj': 4, q_proj: 2 } }),
    ).toEqual({
      'model.layers.0.self_attn.q_proj': 2,
      'model.layers.1.self_attn.q_proj': 4,
    });
  });

  it('a key that is not a regular expression fails when the config is parsed', () => {
    expect(() => resolveLoraTargets(treeOf(LLAMA), { rankPattern: { 'q_proj[': 2 } })).toThrow(
      /rankPattern key "q_proj\[" is not a valid regular expression/,
    );
  });
});

describe('exclude_modules and layers_to_transform with PEFT semantics', () => {
  const LLAMA = [0, 1, 2].flatMap((i) => [`model.layers.${i}.self_attn.q_proj`, `model.layers.${i}.self_attn.v_proj`]);
  const paths = (config: LoraConfigInput): string[] => resolveLoraTargets(treeOf(LLAMA), config).map((t) => t.path);

  it('excludes by name suffix or by a full-match regex', () => {
    expect(paths({ targetModules: ['q_proj', 'v_proj'], excludeModules: ['model.layers.1.self_attn.v_proj'] })).toEqual(
      LLAMA.filter((p) => p !== 'model.layers.1.self_attn.v_proj'),
    );
    expect(paths({ targetModules: ['q_proj', 'v_proj'], excludeModules: 'model\\.layers\\.[01]\\..*v_proj' })).toEqual(
      LLAMA.filter((p) => !/layers\.[01]\..*v_proj/.test(p)),
    );
  });

  it('an exclude entry that excludes nothing, or one that excludes everything, is an error', () => {
    expect(() => paths({ targetModules: ['q_proj'], excludeModules: ['q_prj'] })).toThrow(
      /excludeModules entry "q_prj" matches no module/,
    );
    expect(() => paths({ targetModules: ['q_proj'], excludeModules: ['q_proj'] })).toThrow(
      /excludeModules removes every targeted layer/,
    );
  });

  it('keeps the listed layer indices, read after layersPattern or after the first dotted name', () => {
    expect(paths({ targetModules: ['q_proj'], layersToTransform: [0, 2] })).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.2.self_attn.q_proj',
    ]);
    expect(paths({ targetModules: ['q_proj'], layersToTransform: 1, layersPattern: 'layers' })).toEqual([
      'model.layers.1.self_attn.q_proj',
    ]);
    expect(() => paths({ targetModules: ['q_proj'], layersToTransform: [0], layersPattern: 'h' })).toThrow(
      /layersToTransform \[0\] with layersPattern \["h"\] keeps none/,
    );
    expect(() => paths({ targetModules: 'model\\..*q_proj', layersToTransform: [0] })).toThrow(
      /layersToTransform and layersPattern need targetModules as a list/,
    );
    expect(() => paths({ targetModules: ['q_proj'], layersPattern: 'layers' })).toThrow(
      /layersPattern is set but layersToTransform is not/,
    );
  });
});

describe('adapters saved here with excludeModules / layersToTransform keep PEFT field names', () => {
  it('writes exclude_modules, layers_to_transform and layers_pattern, and loads back to the same layers', async () => {
    const { exportAdapter, importAdapter } = await import('./adapter-io');
    const { injectAdapters } = await import('./inject-adapters');
    const LLAMA = [0, 1, 2].flatMap((i) => [
      `model.layers.${i}.self_attn.q_proj`,
      `model.layers.${i}.self_attn.v_proj`,
    ]);
    const model = treeOf(LLAMA, 8);
    const handle = injectAdapters(model, {
      r: 2,
      targetModules: ['q_proj', 'v_proj'],
      excludeModules: ['model.layers.0.self_attn.v_proj'],
      layersToTransform: [0, 1],
      layersPattern: 'layers',
    });
    const exported = exportAdapter(handle);
    expect(exported.config).toMatchObject({
      target_modules: ['q_proj', 'v_proj'],
      exclude_modules: ['model.layers.0.self_attn.v_proj'],
      layers_to_transform: [0, 1],
      layers_pattern: ['layers'],
    });
    expect(Object.keys(handle.ranks)).toEqual([
      'model.layers.0.self_attn.q_proj',
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj',
    ]);
    const fresh = treeOf(LLAMA, 8);
    const loaded = importAdapter(fresh, exported);
    expect(loaded.ranks).toEqual(handle.ranks);
    loaded.remove();
    handle.remove();
  });
});
