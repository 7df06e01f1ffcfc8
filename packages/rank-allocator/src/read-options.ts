import { RankAllocatorError } from './rank-allocator-error';

/** Options a registry factory receives: a plain object, checked by the factory. */
export type RankAllocatorOptions = Readonly<Record<string, unknown>>;

/**
 * Rejects keys an allocator does not know (a typo would otherwise be silently ignored) and a
 * non-object `options`. Returns the options as a record for typed reads.
 */
export function readOptions(allocator: string, options: unknown, known: readonly string[]): RankAllocatorOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RankAllocatorError(
      'INVALID_OPTIONS',
      `options for rank allocator "${allocator}" must be a plain object, got ${options === null ? 'null' : typeof options}`,
      { field: 'options' },
    );
  }
  const record = options as RankAllocatorOptions;
  for (const key of Object.keys(record)) {
    if (!known.includes(key)) {
      const accepted = known.length > 0 ? `accepted options: ${known.join(', ')}` : 'it takes no options';
      throw new RankAllocatorError(
        'INVALID_OPTIONS',
        `rank allocator "${allocator}" has no option "${key}"; ${accepted}`,
        { field: key },
      );
    }
  }
  return record;
}
