import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A name for a temporary sibling that no other writer picks. */
export function temporarySibling(path: string, prefix = '.tmp-'): string {
  const suffix = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  return join(dirname(path), `${prefix}${basename(path)}-${suffix}`);
}

/** Writes `text` to `path` through a synced temporary file and a rename, so readers see all or nothing. */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  const temporary = temporarySibling(path);
  const handle = await open(temporary, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}
