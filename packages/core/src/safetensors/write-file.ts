import type { FileHandle } from 'node:fs/promises';
import type { TensorEntry } from './dtypes';
import { prepareSafetensors, tensorFileBytes } from './encode';

/**
 * Writes tensors to `path` as safetensors (Node only), atomically: the bytes go to a temporary file
 * in the same directory, which is fsynced and then renamed over `path`, so a crash never leaves a
 * half-written checkpoint. Tensors are streamed one at a time (the whole file is never built in memory).
 * Layout and validation are those of {@link encodeSafetensors}.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: Record<string, TensorEntry>,
  metadata?: Record<string, string>,
): Promise<void> {
  const prepared = prepareSafetensors(tensors, metadata); // validate before touching the disk
  const fs = await import('node:fs/promises');
  const { dirname, basename, join } = await import('node:path');
  const directory = dirname(path);
  const suffix = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const temporary = join(directory, `.${basename(path)}.${suffix}.tmp`);
  const handle = await fs.open(temporary, 'wx');
  try {
    await writeAll(handle, prepared.head);
    for (const t of prepared.tensors) await writeAll(handle, tensorFileBytes(t.entry));
    await handle.sync();
    await handle.close();
    await fs.rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fs.rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
  // Persist the rename itself; not every platform can open a directory, so this is best effort.
  try {
    const dir = await fs.open(directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // ignored: the data is already synced and renamed
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
    done += bytesWritten;
  }
}
