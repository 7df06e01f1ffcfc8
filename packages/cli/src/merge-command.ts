import { mkdir, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isPeftjsError, PeftjsError } from '@peftjs/core';
import { loadAdapter } from '@peftjs/lora/node';
import { savePretrained } from '@peftjs/models/node';
import { parseCommandArgs, requiredString } from './args';
import { BACKEND_HELP, BACKEND_OPTIONS, selectBackend } from './backend-options';
import { checkpointDtype } from './checkpoint-dtype';
import { copySideFiles } from './checkpoint-files';
import { CliError, type CliIo } from './cli-error';
import { loadModelDir } from './inputs';

export const MERGE_HELP = `Usage: peftjs merge --model DIR --adapter DIR --out DIR

Folds a LoRA adapter (PEFT's layout: adapter_model.safetensors + adapter_config.json) into the
weights of its base checkpoint and writes a plain Hugging Face checkpoint that loadPretrained and
transformers' from_pretrained load without PEFT:
  DIR/model.safetensors   in the base's dtype and layout (GPT-2 Conv1D weights [in, out], tied
                          embeddings stored once)
  DIR/config.json, generation_config.json, tokenizer and chat template files, copied from the base

Options:
  --model DIR        base checkpoint directory (config.json + model.safetensors)  (required)
  --adapter DIR      adapter directory                                             (required)
  --out DIR          output directory (not the base's)                             (required)
${BACKEND_HELP}
  -h, --help         show this help
`;

export async function mergeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const values = parseCommandArgs('merge', argv, {
    model: { type: 'string' },
    adapter: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...BACKEND_OPTIONS,
  });
  if (values.help === true) {
    io.stdout.write(MERGE_HELP);
    return 0;
  }
  const modelDir = requiredString('merge', values, 'model');
  const adapterDir = requiredString('merge', values, 'adapter');
  const outDir = resolve(requiredString('merge', values, 'out'));
  const same = await realpath(outDir).then(
    (out) => realpath(modelDir).then((base) => out === base),
    () => false,
  );
  if (same)
    throw new CliError(
      `merge: --out ${outDir} is the base checkpoint's folder; write the merged checkpoint to a new folder`,
    );
  const { record: backend } = await selectBackend('merge', values, io);
  const model = await loadModelDir(modelDir);
  try {
    const dtype = await checkpointDtype(modelDir);
    let layers: number;
    try {
      const handle = await loadAdapter(model, adapterDir);
      layers = handle.layers.size;
      handle.mergeAndUnload();
    } catch (error) {
      if (isPeftjsError(error))
        throw new PeftjsError(error.code, `--adapter ${adapterDir}: ${error.message}`, { cause: error });
      throw error;
    }
    await mkdir(outDir, { recursive: true });
    await savePretrained(model, outDir, { dtype });
    // The base's own config.json (every field as the base has it) replaces the one savePretrained derived.
    const copied = await copySideFiles(modelDir, outDir);
    io.stdout.write(
      `Merged ${layers} adapted layer(s) of ${adapterDir} into ${modelDir}; wrote model.safetensors (${dtype}) and ${copied.join(', ')} to ${outDir} (on ${backend.name}, ${backend.threads ?? 'default'} threads)\n`,
    );
    return 0;
  } finally {
    model.dispose();
  }
}
