import { describe, expect, it } from 'vitest';
import { closeMatches, findPatternKey, fullMatch, matchesModuleName } from './pattern-matching';

describe('PEFT name matching', () => {
  it('names match the whole path or a dotted suffix', () => {
    expect(matchesModuleName('blocks.0.attn.q_proj', 'q_proj')).toBe(true);
    expect(matchesModuleName('blocks.0.attn.q_proj', 'attn.q_proj')).toBe(true);
    expect(matchesModuleName('blocks.0.attn.q_proj', 'blocks.0.attn.q_proj')).toBe(true);
    expect(matchesModuleName('blocks.0.attn.xq_proj', 'q_proj')).toBe(false);
  });

  it('regex targets must match the whole path', () => {
    expect(fullMatch(/.*\.q_proj/, 'blocks.0.attn.q_proj')).toBe(true);
    expect(fullMatch(/q_proj/, 'blocks.0.attn.q_proj')).toBe(false);
  });

  it('pattern keys: the first key in order whose regex (.*\\.)?(key)$ matches, as PEFT get_pattern_key', () => {
    const keys = ['q_proj', 'blocks.1.attn.q_proj', 'attn\\.v_proj'];
    expect(findPatternKey(keys, 'blocks.1.attn.q_proj')).toBe('q_proj'); // no precedence for the exact path
    expect(findPatternKey(keys, 'blocks.0.attn.q_proj')).toBe('q_proj');
    expect(findPatternKey(keys, 'blocks.0.attn.v_proj')).toBe('attn\\.v_proj');
    expect(findPatternKey(keys, 'blocks.0.mlp.fc')).toBeNull();
    expect(findPatternKey(['b.0.mlp.fc'], 'blocks.0.mlp.fc')).toBeNull();
    expect(findPatternKey(['^q_proj'], 'model.layers.0.self_attn.q_proj')).toBeNull();
    expect(
      findPatternKey(['^model\\.layers\\.0\\.self_attn\\.q_proj'], 'model.layers.0.self_attn.q_proj'),
    ).not.toBeNull();
    expect(() => findPatternKey(['q_proj('], 'q_proj', 'rankPattern')).toThrow(
      /rankPattern key "q_proj\(" is not a valid regular expression/,
    );
  });

  it('suggests close names', () => {
    expect(closeMatches('q_prj', ['q_proj', 'v_proj', 'fc'])).toEqual(['q_proj', 'v_proj']);
  });
});
