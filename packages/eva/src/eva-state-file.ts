import { readSafetensorsFile, writeSafetensorsFile } from '@peftjs/core/node';
import { fromEntries, toEntries } from './eva-state-io';
import type { EvaState } from './eva-state';
import type { encodeEvaState } from './eva-state-io';

// EVA state files on disk (Node only; exported from `@peftjs/eva/node`). The bytes are
// `encodeEvaState` / `decodeEvaState` in ./eva-state-io.ts, which run anywhere.

/** Writes the state to `path` as {@link encodeEvaState} lays it out, atomically (temp file, then rename). Node only. */
export async function saveEvaState(state: EvaState, path: string): Promise<void> {
  const { tensors, metadata } = toEntries(state);
  await writeSafetensorsFile(path, tensors, metadata);
}

/** Reads a file {@link saveEvaState} (or PEFT's layout with peftjs metadata) wrote. Node only. */
export async function loadEvaState(path: string): Promise<EvaState> {
  const { tensors, metadata } = await readSafetensorsFile(path);
  return fromEntries(tensors, metadata);
}
