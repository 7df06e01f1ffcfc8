import { PeftjsError } from '@peftjs/core';
import { parseDataset, type DataFormat, type ParsedDataset } from './data-formats';

/**
 * Reads and parses a data file (Node only; {@link parseDataset} is the browser-safe part).
 * @param path - a UTF-8 file: plain text or JSONL (see `DataFormat`).
 * @param options.format - the format; detected from the contents when omitted.
 * @throws PeftjsError `E_DATA_FILE` for a missing or unreadable file or invalid UTF-8, and whatever {@link parseDataset} throws.
 */
export async function readDataset(path: string, options: { format?: DataFormat } = {}): Promise<ParsedDataset> {
  const fs = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new PeftjsError(
      'E_DATA_FILE',
      `${path}: ${code === 'ENOENT' ? 'no such file' : error instanceof Error ? error.message : String(error)}; pass an existing UTF-8 text or JSONL file`,
      { cause: error },
    );
  }
  let content: string;
  try {
    content = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new PeftjsError(
      'E_DATA_FILE',
      `${path}: the file is not valid UTF-8 text; convert it first (e.g. iconv -t UTF-8)`,
      { cause: error },
    );
  }
  return parseDataset(content, { source: path, ...(options.format === undefined ? {} : { format: options.format }) });
}
