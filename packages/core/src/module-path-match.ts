/*
 * The one target matcher of peftjs, shared by `@peftjs/hooks` (activation capture) and
 * `@peftjs/lora` (adapter injection), with PEFT's rules (PEFT 0.21,
 * `peft.tuners.tuners_utils.check_target_module_exists`) and one "did you mean" rule.
 */

/** Whether `key` selects the module at `path` by PEFT's name rule (`path === key` or `path` ends with `.key`). */
export function matchesModuleName(path: string, key: string): boolean {
  return path === key || path.endsWith(`.${key}`);
}

/** Whether a RegExp matches the whole path (Python's `re.fullmatch`; `g`/`y` flags ignored). */
export function fullMatch(pattern: RegExp, path: string): boolean {
  const flags = pattern.flags.replace(/[gy]/g, '');
  return new RegExp(`^(?:${pattern.source})$`, flags).test(path);
}

/**
 * The "did you mean" rule: up to `limit` candidates closest to `name` by edit distance (on the whole
 * candidate and on its last dotted part), within `max(2, floor(name.length / 2))`, nearest first,
 * then in alphabetical order.
 */
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

/** Levenshtein distance (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}
