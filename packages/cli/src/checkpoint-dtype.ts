import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsFile } from '@peftjs/core/node';

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
