/**
 * PEFT's module-name matching, written out so that configs behave the same here and in Python.
 *
 * - A list of names matches a module path when `path === key` or `path` ends with `"." + key`
 *   (PEFT's `check_target_module_exists` for a list).
 * - A RegExp (or a PEFT config whose `target_modules` is a single string) must match the whole
 *   path (`re.fullmatch`).
 * - Rank and alpha patterns (PEFT's `get_pattern_key`): the first key that equals the path wins;
 *   otherwise the first key, in insertion order, that matches `^(.*\.)?(key)$` as a regular
 *   expression (which is a plain suffix match for keys without regex characters).
 */

/** Whether `key` selects the module at `path` by PEFT's name rule (`path === key` or `path` ends with `.key`). */
export function matchesModuleName(path: string, key: string): boolean {
  return path === key || path.endsWith(`.${key}`);
}

/** Whether a RegExp matches the whole path (Python's `re.fullmatch`). */
export function fullMatch(pattern: RegExp, path: string): boolean {
  const flags = pattern.flags.replace(/[gy]/g, '');
  return new RegExp(`^(?:${pattern.source})$`, flags).test(path);
}

/**
 * The pattern key that applies to `path`, or `null`: exact match first, then the first key
 * (in insertion order) matching `^(.*\.)?(key)$`. Keys that are not valid regular expressions are
 * matched as plain suffixes.
 */
export function findPatternKey(keys: readonly string[], path: string): string | null {
  for (const key of keys) if (key === path) return key;
  for (const key of keys) {
    if (matchesModuleName(path, key)) return key;
    const re = tryRegExp(`^(.*\\.)?(${key})$`);
    if (re !== null && re.test(path)) return key;
  }
  return null;
}

function tryRegExp(source: string): RegExp | null {
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

/** Up to `limit` candidates closest to `name` (edit distance on the whole string and on the last path part). */
export function closeMatches(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const scored: { candidate: string; distance: number }[] = [];
  for (const candidate of new Set(candidates)) {
    const last = candidate.slice(candidate.lastIndexOf('.') + 1);
    const distance = Math.min(editDistance(name, candidate), editDistance(name, last));
    if (distance <= Math.max(2, Math.floor(name.length / 2))) scored.push({ candidate, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map((s) => s.candidate);
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
