import { LoraConfigError } from './lora-config-error';

// The name rule, full-match rule and "did you mean" rule are core's, shared with @peftjs/hooks.
export { matchesModuleName, fullMatch, closeMatches } from '@peftjs/core';

/**
 * PEFT's module-name matching (PEFT 0.21, `peft.tuners.tuners_utils.check_target_module_exists` and
 * `peft.utils.other.get_pattern_key`), written out so that configs select the same layers here and
 * in Python.
 *
 * - A list of names matches a module path when `path === key` or `path` ends with `"." + key`.
 * - A RegExp (or a PEFT config whose `target_modules` / `exclude_modules` is a single string) must
 *   match the whole path (`re.fullmatch`).
 * - Rank and alpha pattern keys: the first key, in insertion order, for which
 *   `re.match(rf"(.*\.)?({key})$", path)` succeeds. So `q_proj` and `layers.0.self_attn.q_proj` match by
 *   suffix, `^model\.layers\.0\.self_attn\.q_proj` anchors the full path, and a bare `^q_proj` matches
 *   only a top-level module named `q_proj` (PEFT PR #2419; PEFT 0.21 warns about such keys, PR #3588).
 * - `layers_to_transform` (list targets only): the layer index is the first `.<layers_pattern>.<N>.` in
 *   the path, or with no `layers_pattern` the first `.<name>.<N>.` (PEFT's lazy `.*?` regex).
 */

const patternCache = new Map<string, RegExp | SyntaxError>();

/**
 * The regular expression PEFT's `get_pattern_key` builds for `key`: `^(.*\.)?(key)$`.
 *
 * @throws LoraConfigError (`E_LORA_CONFIG`) naming `field` and the key when it is not a valid regular expression.
 */
export function patternKeyRegExp(key: string, field: string): RegExp {
  let compiled = patternCache.get(key);
  if (compiled === undefined) {
    try {
      compiled = new RegExp(`^(.*\\.)?(${key})$`);
    } catch (error) {
      compiled = error instanceof SyntaxError ? error : new SyntaxError(String(error));
    }
    patternCache.set(key, compiled);
  }
  if (compiled instanceof SyntaxError) {
    throw new LoraConfigError(
      field,
      `${field} key ${JSON.stringify(key)} is not a valid regular expression (${compiled.message}); PEFT matches each key as the regex (.*\\.)?(key)$, so escape special characters`,
    );
  }
  return compiled;
}

/**
 * The pattern key that applies to `path`, or `null`: the first key, in insertion order, whose
 * regex `^(.*\.)?(key)$` matches the path (PEFT's `get_pattern_key`; no key takes precedence for
 * being an exact match).
 *
 * @throws LoraConfigError when a key is not a valid regular expression.
 */
export function findPatternKey(keys: readonly string[], path: string, field = 'pattern'): string | null {
  for (const key of keys) if (patternKeyRegExp(key, field).test(path)) return key;
  return null;
}

/**
 * The layer index PEFT reads from `path` for `layers_to_transform`, or `null` when it finds none:
 * the number after the first `.<pattern>.` (any of `layersPattern`, tried in order), or with no
 * pattern the first number that follows a dotted name (`re.match(r".*?\.[^.]*\.(\d+)\.", path)`).
 */
export function layerIndexOf(path: string, layersPattern: readonly string[] | null): number | null {
  const patterns = layersPattern === null || layersPattern.length === 0 ? [null] : layersPattern;
  for (const pattern of patterns) {
    const re = pattern === null ? /^.*?\.[^.]*\.(\d+)\./ : new RegExp(`^.*?\\.${pattern}\\.(\\d+)\\.`);
    const match = re.exec(path);
    if (match !== null) return Number(match[1]);
  }
  return null;
}
