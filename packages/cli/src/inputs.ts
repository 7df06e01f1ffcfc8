import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CausalLanguageModel, lmBatches, type LmBatches, type PretrainedModel, type Tokenizer } from '@peftjs/models';
import { loadPretrained, loadTokenizer } from '@peftjs/models/node';
import { isPeftjsError, PeftjsError } from '@peftjs/core';
import { CliError } from './cli-error';

/** Loads a Hugging Face checkpoint directory, turning a missing or wrong directory into a clear CLI error. */
export async function loadModelDir(dir: string): Promise<PretrainedModel> {
  const info = await stat(dir).catch(() => null);
  if (info === null || !info.isDirectory())
    throw new CliError(
      `--model ${dir}: no such directory; pass a Hugging Face checkpoint directory (config.json + model.safetensors)`,
    );
  const config = await stat(join(dir, 'config.json')).catch(() => null);
  if (config === null)
    throw new CliError(
      `--model ${dir}: not a checkpoint directory (no config.json); it needs config.json and model.safetensors`,
    );
  try {
    return await loadPretrained(dir);
  } catch (error) {
    // Bad checkpoints keep their code (E_CHECKPOINT, E_CONFIG, E_SAFETENSORS_*); anything else is a bug.
    if (isPeftjsError(error)) throw new PeftjsError(error.code, `--model ${dir}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Reads a UTF-8 text file; empty files and invalid UTF-8 are user errors. */
export async function readTextFile(path: string): Promise<string> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`--text ${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`--text ${path}: the file is not valid UTF-8 text; convert it first (e.g. iconv -t UTF-8)`);
  }
  if (text.trim().length === 0)
    throw new CliError(`--text ${path}: the file is empty; give it some text to learn from`);
  return text;
}

/**
 * The checkpoint folder's own tokenizer (`tokenizer.json`, or the byte tokenizer its config.json names);
 * a tokenizer whose ids do not fit the model's vocabulary is a user error.
 */
export async function tokenizerFor(dir: string, model: PretrainedModel): Promise<Tokenizer> {
  let tokenizer: Tokenizer;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (error) {
    throw new CliError(`--model ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const vocab = 'vocabSize' in model.config ? model.config.vocabSize : 0;
  if (tokenizer.vocabSize > vocab) {
    throw new CliError(
      `--model ${dir}: the tokenizer has ${tokenizer.vocabSize} ids but the model's vocabulary has ${vocab}; the folder's tokenizer does not belong to this model`,
    );
  }
  return tokenizer;
}

/** Loads a checkpoint that must be a causal language model (the text commands need one). */
export async function loadCausalLm(dir: string): Promise<CausalLanguageModel & PretrainedModel> {
  const model = await loadModelDir(dir);
  if (!(model instanceof CausalLanguageModel)) {
    model.dispose();
    throw new CliError(
      `--model ${dir}: this command needs a causal language model (GPT2LMHeadModel or LlamaForCausalLM), got ${model.typeName}`,
    );
  }
  return model;
}

/** Looping language-model batches of a text file in the model's tokenization; a text too short for one batch is a user error. */
export async function textBatches(
  model: PretrainedModel,
  modelDir: string,
  textPath: string,
  text: string,
  options: { batchSize: number; seqLen: number; seed: number },
): Promise<LmBatches> {
  const tokenizer = await tokenizerFor(modelDir, model);
  try {
    return lmBatches(text, { tokenizer, ...options, loop: true });
  } catch (error) {
    throw new CliError(`--text ${textPath}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
