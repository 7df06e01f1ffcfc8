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
