import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsFile } from '@peftjs/core';
import { CliError } from './cli-error';

/**
 * The files of a Hugging Face checkpoint folder besides its weights, copied into a merged checkpoint
 * so that it loads and tokenizes as the base does (config, generation defaults, tokenizer, chat template).
 */
export const CHECKPOINT_SIDE_FILES: readonly string[] = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'added_tokens.json',
  'chat_template.jinja',
  'chat_template.json',
  'vocab.json',
  'merges.txt',
  'tokenizer.model',
];

/** Copies those of {@link CHECKPOINT_SIDE_FILES} that `from` has into `to`; returns their names. */
export async function copySideFiles(from: string, to: string): Promise<string[]> {
  const copied: string[] = [];
  for (const name of CHECKPOINT_SIDE_FILES) {
    const done = await copyFile(join(from, name), join(to, name)).then(() => true, (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw new CliError(`cannot copy ${join(from, name)} to ${to}: ${error.message}`);
    });
    if (done) copied.push(name);
  }
  return copied;
}

/**
 * The storage dtype of a checkpoint's weights (of its first floating-point tensor): `F32`, `F16` or
 * `BF16`; `F64` checkpoints are stored as `F32`. Reads `model.safetensors`, or the first shard of
 * `model.safetensors.index.json`.
 */
export async function checkpointDtype(dir: string): Promise<'F32' | 'F16' | 'BF16'> {
  let file = join(dir, 'model.safetensors');
  const index = await readFile(join(dir, 'model.safetensors.index.json'), 'utf8').catch(() => null);
  if (index !== null) {
    const shards = Object.values((JSON.parse(index) as { weight_map?: Record<string, string> }).weight_map ?? {});
    if (shards[0] !== undefined) file = join(dir, shards[0]);
  }
  const opened = await SafetensorsFile.open(file);
  try {
    for (const key of opened.keys()) {
      const dtype = opened.info(key).dtype;
      if (dtype === 'F32' || dtype === 'F16' || dtype === 'BF16') return dtype;
      if (dtype === 'F64') return 'F32';
    }
    return 'F32';
  } finally {
    await opened.close();
  }
}

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
