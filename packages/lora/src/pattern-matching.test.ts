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

  it('pattern keys: exact match first, then the first matching key in order', () => {
    const keys = ['q_proj', 'blocks.1.attn.q_proj', 'attn\\.v_proj'];
    expect(findPatternKey(keys, 'blocks.1.attn.q_proj')).toBe('blocks.1.attn.q_proj');
    expect(findPatternKey(keys, 'blocks.0.attn.q_proj')).toBe('q_proj');
    expect(findPatternKey(keys, 'blocks.0.attn.v_proj')).toBe('attn\\.v_proj');
    expect(findPatternKey(keys, 'blocks.0.mlp.fc')).toBeNull();
    expect(findPatternKey(['b.0.mlp.fc'], 'blocks.0.mlp.fc')).toBeNull();
  });

  it('suggests close names', () => {
    expect(closeMatches('q_prj', ['q_proj', 'v_proj', 'fc'])).toEqual(['q_proj', 'v_proj']);
  });
});
