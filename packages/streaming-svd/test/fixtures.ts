import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A minimal safetensors reader for the committed F32/F64 fixtures (tests only). */
export interface Fixture {
  readonly tensors: Record<string, { shape: number[]; data: Float32Array | Float64Array }>;
  readonly metadata: Record<string, string>;
}

export function readFixture(name: string): Fixture {
  const bytes = readFileSync(fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>
  >;
  const base = 8 + headerLength;
  const tensors: Fixture['tensors'] = {};
  let metadata: Record<string, string> = {};
  for (const [key, entry] of Object.entries(header)) {
    if (key === '__metadata__') {
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: [start, end] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const raw = bytes.slice(base + start, base + end);
    const data = dtype === 'F32' ? new Float32Array(raw.buffer, raw.byteOffset, (end - start) / 4) : new Float64Array(raw.buffer, raw.byteOffset, (end - start) / 8);
    tensors[key] = { shape, data };
  }
  return { tensors, metadata };
}

export function tensorOf(fixture: Fixture, name: string): Float32Array | Float64Array {
  const t = fixture.tensors[name];
  if (t === undefined) throw new Error(`fixture has no tensor "${name}"`);
  return t.data;
}

/** Signed cosine between row `i` of `a` and row `j` of `b` (both `[*, d]`). */
export function rowCosine(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, d: number): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let c = 0; c < d; c++) {
    const x = a[i * d + c] as number;
    const y = b[j * d + c] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/** Indices whose singular value is at least `gap` (relative) away from both neighbours. */
export function separatedIndices(singularValues: ArrayLike<number>, gap = 0.02): number[] {
  const out: number[] = [];
  for (let j = 0; j < singularValues.length; j++) {
    const s = singularValues[j] as number;
    const prev = j > 0 ? (singularValues[j - 1] as number) : Infinity;
    const next = j + 1 < singularValues.length ? (singularValues[j + 1] as number) : -Infinity;
    if (prev - s > gap * s && s - next > gap * s) out.push(j);
  }
  return out;
}
