import type { FileHandle } from 'node:fs/promises';
import type { SafetensorsDtype, TensorEntry } from './dtypes';
import { decodeTensorData } from './decode';
import type { DecodedSafetensors } from './decode';
import { SafetensorsError } from './errors';
import { LENGTH_PREFIX_BYTES, parseHeader, readHeaderLength } from './header';
import type { TensorLayout } from './header';
import { setOwn } from './strings';

/** What {@link SafetensorsFile.info} tells about one tensor without reading its data. */
export interface SafetensorsTensorInfo {
  /** The element type in the file. */
  dtype: SafetensorsDtype;
  /** Sizes per axis; `[]` for a scalar. */
  shape: number[];
  /** Bytes the tensor occupies in the file (F16/BF16: 2 per element, though they decode to float32). */
  byteLength: number;
}

/**
 * A safetensors file opened for lazy reading (Node only): `open` reads and validates just the header;
 * `read(name)` reads only that tensor's byte range, straight into the buffer the result keeps, so a
 * large checkpoint is never held twice.
 *
 * ```ts
 * const file = await SafetensorsFile.open('model.safetensors');
 * try { const wte = await file.read('wte.weight'); } finally { await file.close(); }
 * ```
 */
export class SafetensorsFile {
  private handle: FileHandle | null;
  private readonly byName: Map<string, TensorLayout>;

  private constructor(
    /** The path the file was opened from. */
    readonly path: string,
    handle: FileHandle,
    private readonly dataStart: number,
    private readonly layout: readonly TensorLayout[],
    /** The `__metadata__` map; empty when the file has none. */
    readonly metadata: Record<string, string>,
  ) {
    this.handle = handle;
    this.byName = new Map(layout.map((t) => [t.name, t]));
  }

  /** Opens `path`, reads and validates its header (against the file's real size), keeps the handle open. */
  static async open(path: string): Promise<SafetensorsFile> {
    const fs = await import('node:fs/promises');
    const handle = await fs.open(path, 'r');
    try {
      const size = (await handle.stat()).size;
      const prefix = await readRange(handle, 0, Math.min(LENGTH_PREFIX_BYTES, size), path);
      const headerLength = readHeaderLength(prefix, size);
      const dataStart = LENGTH_PREFIX_BYTES + headerLength;
      const headerBytes = await readRange(handle, LENGTH_PREFIX_BYTES, headerLength, path);
      const header = parseHeader(headerBytes, size - dataStart);
      return new SafetensorsFile(path, handle, dataStart, header.tensors, header.metadata);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** Tensor names in file (data) order. */
  keys(): string[] {
    return this.layout.map((t) => t.name);
  }

  /** Dtype, shape and stored byte length of `name`, without reading its data. */
  info(name: string): SafetensorsTensorInfo {
    const t = this.find(name);
    return { dtype: t.dtype, shape: [...t.shape], byteLength: t.end - t.begin };
  }

  /** Reads and decodes one tensor. */
  async read(name: string): Promise<TensorEntry> {
    const t = this.find(name);
    const raw = await readRange(this.open(), this.dataStart + t.begin, t.end - t.begin, this.path);
    return { dtype: t.dtype, shape: [...t.shape], data: decodeTensorData(t.dtype, raw, true) };
  }

  /** Closes the file handle; later calls to `read` throw. Closing twice is harmless. */
  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    if (handle !== null) await handle.close();
  }

  private find(name: string): TensorLayout {
    const t = this.byName.get(name);
    if (t === undefined) {
      const names = this.keys();
      const shown = names
        .slice(0, 10)
        .map((n) => JSON.stringify(n))
        .join(', ');
      throw new SafetensorsError(
        'UNKNOWN_TENSOR',
        `${this.path} has no tensor ${JSON.stringify(name)}; it holds ${names.length}: ${shown}${names.length > 10 ? ', ...' : ''}`,
      );
    }
    return t;
  }

  private open(): FileHandle {
    if (this.handle === null) {
      throw new SafetensorsError('CLOSED', `${this.path} was closed; open it again with SafetensorsFile.open()`);
    }
    return this.handle;
  }
}

/** Reads a whole safetensors file from disk (Node only), one tensor at a time. */
export async function readSafetensorsFile(path: string): Promise<DecodedSafetensors> {
  const file = await SafetensorsFile.open(path);
  try {
    const tensors: Record<string, TensorEntry> = {};
    for (const name of file.keys()) setOwn(tensors, name, await file.read(name));
    return { tensors, metadata: file.metadata };
  } finally {
    await file.close();
  }
}

/** Reads exactly `length` bytes at `position` into a fresh buffer; a short file is TRUNCATED. */
async function readRange(handle: FileHandle, position: number, length: number, path: string): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError(
        'TRUNCATED',
        `${path} ended after ${position + done} bytes while reading bytes [${position}, ${position + length}); ` +
          'the file shrank while open or is truncated',
      );
    }
    done += bytesRead;
  }
  return out;
}
