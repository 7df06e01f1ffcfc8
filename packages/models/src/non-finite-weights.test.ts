import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPeftjsError, NonFiniteError, setBackend } from '@peftjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureDir } from './fixtures.test-support';
import { loadPretrained } from './pretrained';

// Issue 15, "NaN and Inf": a weight read from a checkpoint that holds NaN or an infinity is a
// NonFiniteError (E_NON_FINITE) naming the tensor, not a model whose logits are NaN.

const scratch = mkdtempSync(join(tmpdir(), 'peftjs-nan-weights-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await setBackend('wasm');
});

/** A copy of the transformers gpt2 fixture with element `index` of tensor `name` overwritten (F32 bits, by hand). */
function poisoned(name: string, index: number, value: number): string {
  const dir = mkdtempSync(join(scratch, 'gpt2-'));
  const src = fixtureDir('hf/gpt2');
  copyFileSync(join(src, 'config.json'), join(dir, 'config.json'));
  const bytes = new Uint8Array(readFileSync(join(src, 'model.safetensors')));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<
    string,
    { dtype: string; data_offsets: [number, number] }
  >;
  const entry = header[name];
  if (entry === undefined || entry.dtype !== 'F32') throw new Error(`fixture has no F32 tensor ${name}`);
  view.setFloat32(8 + headerLength + entry.data_offsets[0] + 4 * index, value, true);
  writeFileSync(join(dir, 'model.safetensors'), bytes);
  return dir;
}

describe('loadPretrained refuses non-finite weights by name', () => {
  it.each([
    ['transformer.h.1.attn.c_proj.weight', 17, Number.NaN],
    ['transformer.wte.weight', 0, Number.POSITIVE_INFINITY],
    ['transformer.ln_f.bias', 63, Number.NEGATIVE_INFINITY],
  ])('%s[%i] = %d', async (name, index, value) => {
    const error = await loadPretrained(poisoned(name, index, value)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NonFiniteError);
    expect(isPeftjsError(error) && error.code).toBe('E_NON_FINITE');
    expect((error as Error).message).toContain(`Tensor "${name}" in `);
    expect((error as Error).message).toContain(`holds 1 NaN or infinite value(s)`);
    expect((error as Error).message).toContain(`(first at flat index ${index}: ${String(value)})`);
  });

  it('a copy with a finite value written the same way loads (no false alarm)', async () => {
    const model = await loadPretrained(poisoned('transformer.h.1.attn.c_proj.weight', 17, 0.25));
    model.dispose();
  });
});
