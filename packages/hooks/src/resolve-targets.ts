import { closeMatches, fullMatch, Linear, matchesModuleName, PeftjsError, type AnyModule } from '@peftjs/core';

/** A module path predicate, for selections that names and patterns cannot express. */
export type TargetPredicate = (path: string, module: AnyModule) => boolean;

/**
 * Which layers to select, matched on full module paths (`h.0.attn.c_attn`) as PEFT's `target_modules`:
 * - a string `k` matches path `p` when `p === k` or `p.endsWith('.' + k)` (PEFT's `(.*\.)?(k)$` for a list);
 * - a RegExp must match the whole path (PEFT's `re.fullmatch`);
 * - a list matches a path when any entry does;
 * - a predicate decides for itself.
 * Unlike PEFT, a lone string is a name, not a regex; pass `new RegExp(s)` for PEFT's string-as-regex form.
 */
export type TargetSpec = string | RegExp | readonly (string | RegExp)[] | TargetPredicate;

/** One module {@link resolveTargets} matched. */
export interface ResolvedTarget {
  /** Full module path, e.g. `h.0.attn.c_attn`. */
  readonly name: string;
  /** The module at that path. */
  readonly module: AnyModule;
}

/** Whether one string or RegExp target matches a module path, with PEFT's rules (see {@link TargetSpec}). */
export function matchesTarget(path: string, target: string | RegExp): boolean {
  return typeof target === 'string' ? matchesModuleName(path, target) : fullMatch(target, path);
}

/**
 * The modules of `model` selected by `targets`, in module order (depth first, as `namedModules()`).
 * Without `targets`: every `Linear`. The root module (path `''`) is never selected.
 *
 * Throws when a string or RegExp target matches nothing, naming each such target and suggesting the
 * closest module names (core's one "did you mean" rule, over module names), and when the whole selection is empty.
 */
export function resolveTargets(model: AnyModule, targets?: TargetSpec): ResolvedTarget[] {
  const all = [...model.namedModules()].filter(([path]) => path !== '');
  if (targets === undefined) {
    const linears = all.filter(([, m]) => m instanceof Linear).map(([name, module]) => ({ name, module }));
    if (linears.length === 0) {
      throw new PeftjsError(
        'E_UNKNOWN_TARGET',
        `The model has no Linear layer to capture (its modules: ${preview(all.map(([p]) => p))}); pass \`targets\` naming the layers to hook`,
      );
    }
    return linears;
  }
  if (typeof targets === 'function') {
    const chosen = all.filter(([p, m]) => targets(p, m)).map(([name, module]) => ({ name, module }));
    if (chosen.length === 0) {
      throw new PeftjsError(
        'E_UNKNOWN_TARGET',
        `The targets predicate selected no module (module paths: ${preview(all.map(([p]) => p))}); check the predicate`,
      );
    }
    return chosen;
  }
  const list: readonly (string | RegExp)[] =
    typeof targets === 'string' || targets instanceof RegExp ? [targets] : targets;
  if (list.length === 0)
    throw new PeftjsError(
      'E_CONFIG',
      'targets is an empty list; name at least one layer (e.g. ["q_proj", "v_proj"]) or omit it to capture every Linear',
    );
  for (const t of list) {
    if (typeof t === 'string' && t === '')
      throw new PeftjsError('E_CONFIG', 'targets contains an empty string; name a layer such as "c_attn"');
    if (typeof t !== 'string' && !(t instanceof RegExp))
      throw new PeftjsError('E_CONFIG', `targets entries must be strings or RegExps, got ${typeof t}`);
  }
  const unmatched = list.filter((t) => !all.some(([p]) => matchesTarget(p, t)));
  if (unmatched.length > 0) {
    const paths = all.map(([p]) => p);
    const descriptions = unmatched.map((t) => describeUnmatched(t, paths));
    throw new PeftjsError(
      'E_UNKNOWN_TARGET',
      `${unmatched.length === 1 ? 'A target matches' : `${unmatched.length} targets match`} no module of the model: ${descriptions.join('; ')}. A name matches a module path that equals it or ends with "." + name; a RegExp must match the whole path.`,
    );
  }
  return all.filter(([p]) => list.some((t) => matchesTarget(p, t))).map(([name, module]) => ({ name, module }));
}

function describeUnmatched(target: string | RegExp, paths: readonly string[]): string {
  if (target instanceof RegExp) {
    return `${String(target)} matches no full module path (module paths: ${preview(paths)})`;
  }
  const close = closeMatches(
    target,
    paths.map((p) => p.slice(p.lastIndexOf('.') + 1)).filter((name) => !/^\d+$/.test(name)),
  );
  return `"${target}"${close.length > 0 ? ` (did you mean ${close.map((c) => `"${c}"`).join(', ')}?)` : ` (module names: ${preview(suffixes(paths))})`}`;
}

/** Every distinct dotted suffix of every path (`a.b.c` -> `c`, `b.c`, `a.b.c`), shortest first, none starting at a number. */
function suffixes(paths: readonly string[]): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    const parts = p.split('.');
    // suffixes starting at a list index ("0.attn") are noise as suggestions
    for (let i = parts.length - 1; i >= 0; i--)
      if (!/^\d+$/.test(parts[i] as string)) out.add(parts.slice(i).join('.'));
  }
  return [...out].sort((a, b) => a.split('.').length - b.split('.').length);
}

function preview(names: readonly string[], max = 12): string {
  if (names.length === 0) return '(none)';
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')}, ... (${names.length - max} more)`;
}
