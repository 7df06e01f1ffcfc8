import { PeftjsError } from '@peftjs/core';
import { BYTE_TOKENIZER_FIELD, ByteTokenizer } from './byte-tokenizer';
import { isJsonObject } from './config-fields';
import { HfTokenizer } from './hf-tokenizer';
import type { Tokenizer } from './tokenizer';

async function readJson(path: string): Promise<unknown> {
  const fs = await import('node:fs/promises');
  const text = await fs.readFile(path, 'utf8');
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new PeftjsError(
      'E_TOKENIZER',
      `${path} is not valid JSON (${cause instanceof Error ? cause.message : String(cause)}); download it again`,
      { cause },
    );
  }
}

/**
 * The tokenizer of a checkpoint folder (Node only):
 * - `config.json` with `"peftjs_tokenizer": "byte"` -> {@link ByteTokenizer} (decided by the config,
 *   never by the vocabulary size);
 * - otherwise `tokenizer.json` (+ `tokenizer_config.json` when present) -> {@link HfTokenizer}.
 * @throws PeftjsError `E_TOKENIZER` naming the missing file when the folder has no tokenizer.
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const exists = (f: string): Promise<boolean> =>
    fs.access(path.join(dir, f)).then(
      () => true,
      () => false,
    );
  if (await exists('config.json')) {
    const config = await readJson(path.join(dir, 'config.json'));
    if (isJsonObject(config) && config[BYTE_TOKENIZER_FIELD] === 'byte') return new ByteTokenizer();
  }
  if (!(await exists('tokenizer.json'))) {
    throw new PeftjsError(
      'E_TOKENIZER',
      `No tokenizer.json in ${dir}: copy the model's tokenizer.json (and tokenizer_config.json) into the folder`,
    );
  }
  const json = await readJson(path.join(dir, 'tokenizer.json'));
  const config = (await exists('tokenizer_config.json')) ? await readJson(path.join(dir, 'tokenizer_config.json')) : {};
  if (!isJsonObject(json) || !isJsonObject(config))
    throw new PeftjsError(
      'E_TOKENIZER',
      `${dir}: tokenizer.json and tokenizer_config.json must each hold a JSON object`,
    );
  return HfTokenizer.fromJson(json, config);
}
