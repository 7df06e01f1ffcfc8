import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The end-of-sequence ids of a checkpoint: `eos_token_id` (an id or a list) of
 * `generation_config.json`, else of `config.json`, else `fallback` (the tokenizer's EOS).
 */
export async function eosTokenIds(dir: string, fallback: number | null): Promise<number[]> {
  for (const name of ['generation_config.json', 'config.json']) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => null);
    if (text === null) continue;
    let value: unknown;
    try {
      value = (JSON.parse(text) as Record<string, unknown>)['eos_token_id'];
    } catch {
      continue; // a broken generation_config.json does not stop generation; config.json was checked when loading
    }
    if (Number.isInteger(value)) return [value as number];
    if (Array.isArray(value) && value.every((v) => Number.isInteger(v))) return value as number[];
  }
  return fallback === null ? [] : [fallback];
}
