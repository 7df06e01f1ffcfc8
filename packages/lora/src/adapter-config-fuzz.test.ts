import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, isPeftjsError, setBackend, type AnyModule } from '@peftjs/core';
import { CausalLanguageModel } from '@peftjs/models';
import { loadPretrained } from '@peftjs/models/node';
import { beforeAll, describe, expect, it } from 'vitest';
import { importAdapter } from './adapter-io';
import { LoraLinear } from './lora-linear';
import type { PeftLoraConfigJson } from './peft-config';

// Issue 15: adapter_config.json parsing under random field deletions, type changes and unknown fields.
// Every mutated config must load to PEFT's result for that config, or fail with a typed PeftjsError;
// never another result, never another kind of exception. PEFT's result is stated independently of the
// loader: the layers are those the file holds, each with rank rows(lora_A) and scaling
// alpha / r (alpha / sqrt(r) with use_rslora), alpha being the first alpha_pattern key k in order with
// re.match(rf"(.*\.)?({k})$", path) (PEFT 0.21 get_pattern_key), else lora_alpha, with PEFT's defaults
// (lora_alpha 8, use_rslora false, alpha_pattern {}) for deleted fields.
const FIXTURES = join(__dirname, '..', 'test', 'fixtures', 'hf');
const CASES_PER_ADAPTER = 2500;

interface Base {
  model: AnyModule;
  config: Record<string, unknown>;
  tensors: ReturnType<typeof decodeSafetensors>['tensors'];
  /** Adapted layer path -> rank, from the file's lora_A shapes. */
  fileRanks: Map<string, number>;
}

const bases = new Map<string, Base>();

beforeAll(async () => {
  await setBackend('wasm');
  for (const [base, adapter] of [
    ['gpt2', 'adapter-gpt2'],
    ['llama3', 'adapter-llama3'],
  ] as const) {
    const model = await loadPretrained(join(FIXTURES, base), { as: CausalLanguageModel });
    const config = JSON.parse(readFileSync(join(FIXTURES, adapter, 'adapter_config.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const { tensors } = decodeSafetensors(readFileSync(join(FIXTURES, adapter, 'adapter_model.safetensors')));
    const fileRanks = new Map<string, number>();
    for (const [key, t] of Object.entries(tensors)) {
      const m = /^base_model\.model\.(.+)\.lora_A\.weight$/.exec(key);
      if (m !== null) fileRanks.set(m[1] as string, t.shape[0] as number);
    }
    bases.set(adapter, { model, config, tensors, fileRanks });
  }
});

/** PEFT's scaling for `path` under config `c` (defaults for deleted fields). */
function peftScaling(c: Record<string, unknown>, path: string, r: number): number {
  const patterns = (c['alpha_pattern'] ?? {}) as Record<string, number>;
  const key = Object.keys(patterns).find((k) => new RegExp(`^(.*\\.)?(${k})$`).test(path));
  const alpha = key === undefined ? ((c['lora_alpha'] ?? 8) as number) : (patterns[key] as number);
  return c['use_rslora'] === true ? alpha / Math.sqrt(r) : alpha / r;
}

const JSON_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  1,
  4,
  -1,
  2.5,
  'x',
  '',
  'none',
  [],
  ['q_proj'],
  ['c_attn', 'c_proj'],
  [0],
  {},
  { a: 1 },
  { up_proj: 'x' },
];
const typeOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const UNKNOWN_NAMES = [
  'use_magic',
  'lora_scale',
  'future_config',
  'x',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
];

type Mutation =
  | { kind: 'delete'; field: number }
  | { kind: 'retype'; field: number; value: number }
  | { kind: 'unknown'; name: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), field: fc.nat() }),
  fc.record({ kind: fc.constant('retype' as const), field: fc.nat(), value: fc.nat() }),
  fc.record({ kind: fc.constant('unknown' as const), name: fc.nat(), value: fc.nat() }),
);

/** A deep copy of `config` with the mutations applied; own properties only (even "__proto__"). */
function mutate(config: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const out = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const m of mutations) {
    const fields = Object.keys(out);
    if (m.kind === 'delete' && fields.length > 0) delete out[fields[m.field % fields.length] as string];
    if (m.kind === 'retype' && fields.length > 0) {
      const field = fields[m.field % fields.length] as string;
      const choices = JSON_VALUES.filter((v) => typeOf(v) !== typeOf(out[field]));
      Object.defineProperty(out, field, {
        value: structuredClone(choices[m.value % choices.length]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    if (m.kind === 'unknown') {
      const name = UNKNOWN_NAMES[m.name % UNKNOWN_NAMES.length] as string;
      Object.defineProperty(out, name, {
        value: structuredClone(JSON_VALUES[m.value % JSON_VALUES.length]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return out;
}

describe.each(['adapter-gpt2', 'adapter-llama3'])('adapter_config.json fuzz: %s', (adapter) => {
  it(`${CASES_PER_ADAPTER} seeded mutations give PEFT's result or a PeftjsError`, () => {
    const base = bases.get(adapter) as Base;
    const before = tf.memory().numTensors;
    let loaded = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
        const config = mutate(base.config, mutations);
        let handle: ReturnType<typeof importAdapter> | undefined;
        try {
          handle = importAdapter(base.model, { tensors: base.tensors, config: config as PeftLoraConfigJson });
        } catch (error) {
          if (!isPeftjsError(error))
            throw new Error(`not a PeftjsError for ${JSON.stringify(mutations)}: ${String(error)}`);
          // nothing stays changed
          if ([...base.model.namedModules()].some(([, m]) => m instanceof LoraLinear))
            throw new Error('the model kept adapter layers after an error');
          refused++;
          return;
        }
        try {
          expect(new Map(Object.entries(handle.ranks))).toEqual(base.fileRanks);
          for (const [path, layer] of handle.layers) {
            const state = layer.adapter('default');
            expect(state.r).toBe(base.fileRanks.get(path));
            expect(state.scaling).toBeCloseTo(peftScaling(config, path, state.r), 12);
            expect(state.extra.size).toBe(0); // plain LoRA: the files hold no DoRA magnitudes
          }
          loaded++;
        } finally {
          handle.remove();
        }
      }),
      { seed: adapter === 'adapter-gpt2' ? 1501 : 1502, numRuns: CASES_PER_ADAPTER },
    );
    expect(loaded + refused).toBe(CASES_PER_ADAPTER);
    expect(loaded).toBeGreaterThan(CASES_PER_ADAPTER / 10); // many mutations are harmless (metadata, defaults, null unknowns)
    expect(refused).toBeGreaterThan(CASES_PER_ADAPTER / 10);
    expect(tf.memory().numTensors).toBe(before);
  });
});
