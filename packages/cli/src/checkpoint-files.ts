import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliError } from './cli-error';

/**
 * The files of a Hugging Face checkpoint folder besides its weights, copied into a merged checkpoint
 * so that it loads and tokenizes as the base does (config, generation defaults, tokenizer, chat template).
 */
const CHECKPOINT_SIDE_FILES: readonly string[] = [
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
    const done = await copyFile(join(from, name), join(to, name)).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw new CliError(`cannot copy ${join(from, name)} to ${to}: ${error.message}`);
      },
    );
    if (done) copied.push(name);
  }
  return copied;
}
