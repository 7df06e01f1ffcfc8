import { decodeSafetensors, encodeSafetensors } from '@peftjs/core';
import type { AnyModule } from '@peftjs/core';
import { AdapterFileError } from './adapter-file-error';
import {
  ADAPTER_CONFIG_FILE,
  ADAPTER_WEIGHTS_FILE,
  exportAdapter,
  importAdapter,
  type ExportAdapterOptions,
  type ImportAdapterOptions,
} from './adapter-io';
import type { LoraHandle } from './lora-handle';
import type { PeftLoraConfigJson } from './peft-config';

// PEFT adapter directories on disk (Node only; exported from `@peftjs/lora/node`). The in-memory
// layout they hold is `exportAdapter` / `importAdapter` in ./adapter-io.ts, which runs anywhere.

/** Writes `adapter_model.safetensors` and `adapter_config.json` into `directory` (created if needed). Node only. */
export async function saveAdapter(
  handle: LoraHandle,
  directory: string,
  options: ExportAdapterOptions = {},
): Promise<void> {
  const { tensors, config } = exportAdapter(handle, options);
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  await fs.mkdir(directory, { recursive: true });
  await fs.writeFile(join(directory, ADAPTER_WEIGHTS_FILE), encodeSafetensors(tensors, { format: 'pt' }));
  await fs.writeFile(join(directory, ADAPTER_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}

/** Reads a PEFT adapter directory and {@link importAdapter}s it into `model`. Node only. */
export async function loadAdapter(
  model: AnyModule,
  directory: string,
  options: ImportAdapterOptions = {},
): Promise<LoraHandle> {
  const fs = await import('node:fs/promises');
  const { join } = await import('node:path');
  const configPath = join(directory, ADAPTER_CONFIG_FILE);
  let config: unknown;
  try {
    config = JSON.parse(await fs.readFile(configPath, 'utf8'));
  } catch (error) {
    throw new AdapterFileError('adapter_config.json', `Cannot read ${configPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const bytes = await fs.readFile(join(directory, ADAPTER_WEIGHTS_FILE));
  const { tensors } = decodeSafetensors(bytes);
  return importAdapter(model, { tensors, config: config as PeftLoraConfigJson }, options);
}
