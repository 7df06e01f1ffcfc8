import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvaConfig } from './eva-config';
import type { EvaState } from './eva-state';
import { decodeEvaState, encodeEvaState } from './eva-state-io';

// Issue 15, "byte views": the EVA-state decoder must read only the bytes its argument views (a pooled
// Node Buffer from fs.readFileSync, or a subarray at a non-zero offset). The state is written by hand,
// so the right value is known: A = the first `rank` component rows, ranks and spectra as given.

const dir = mkdtempSync(join(tmpdir(), 'peftjs-eva-views-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STATE: EvaState = {
  layers: [
    {
      name: 'model.layers.0.self_attn.q_proj',
      inFeatures: 3,
      components: 2,
      componentsData: Float32Array.from([1, 0, 0, 0, 0.6, 0.8]),
      singularValues: Float64Array.from([4, 1]),
      explainedVarianceRatio: Float64Array.from([0.5, 0.25]),
      rank: 2,
      group: null,
      converged: true,
    },
    {
      name: 'model.layers.0.mlp.up_proj',
      inFeatures: 3,
      components: 2,
      componentsData: Float32Array.from([0, 1, 0, 1, 0, 0]),
      singularValues: Float64Array.from([2, 1]),
      explainedVarianceRatio: Float64Array.from([0.125, 0.0625]),
      rank: 1,
      group: null,
      converged: false,
    },
  ],
  config: parseEvaConfig({ r: 2, rho: 1.5, targetModules: ['q_proj', 'up_proj'] }),
  steps: 7,
  forwardPasses: 7,
  seconds: 0.5,
  converged: false,
  unconvergedLayers: ['model.layers.0.mlp.up_proj'],
};

function expectState(state: EvaState): void {
  expect(
    state.layers.map((l) => [
      l.name,
      l.rank,
      Array.from(l.componentsData),
      Array.from(l.singularValues),
      Array.from(l.explainedVarianceRatio),
    ]),
  ).toEqual([
    ['model.layers.0.self_attn.q_proj', 2, [1, 0, 0, 0, 0.6000000238418579, 0.800000011920929], [4, 1], [0.5, 0.25]],
    ['model.layers.0.mlp.up_proj', 1, [0, 1, 0], [2], [0.125]],
  ]);
  expect(state.config.rho).toBe(1.5);
  expect(state.config.targetModules).toEqual(['q_proj', 'up_proj']);
  expect([state.steps, state.converged, state.unconvergedLayers]).toEqual([7, false, ['model.layers.0.mlp.up_proj']]);
}

describe('decodeEvaState honours byteOffset and byteLength', () => {
  it('reads a pooled Buffer from fs.readFileSync', () => {
    const path = join(dir, 'eva.safetensors');
    writeFileSync(path, encodeEvaState(STATE));
    readFileSync(path);
    const buffer = readFileSync(path);
    expect(buffer.byteOffset).toBeGreaterThan(0);
    expectState(decodeEvaState(buffer));
  });

  it.each([1, 5, 12])('reads a subarray at offset %i with other bytes on both sides', (offset) => {
    const bytes = encodeEvaState(STATE);
    const big = new Uint8Array(offset + bytes.length + 4).fill(0x7b);
    big.set(bytes, offset);
    expectState(decodeEvaState(big.subarray(offset, offset + bytes.length)));
    const pooled = Buffer.concat([Buffer.alloc(offset, 0x7b), Buffer.from(bytes)]);
    expectState(decodeEvaState(pooled.subarray(offset)));
  });
});

describe('decodeEvaState refuses non-finite components', () => {
  it("a NaN in a layer's A is a NonFiniteError naming the layer", () => {
    const layers = STATE.layers.map((l, i) =>
      i === 1 ? { ...l, componentsData: Float32Array.from([0, Number.NaN, 0, 1, 0, 0]) } : l,
    );
    expect(() => decodeEvaState(encodeEvaState({ ...STATE, layers }))).toThrow(
      /^EVA state tensor "model\.layers\.0\.mlp\.up_proj" holds 1 NaN or infinite value/,
    );
  });
});
