/**
 * Writes the inputs of the PEFT parity fixture: every target layer's kept `[n, d]` input rows for
 * each batch of tools/eva/parity-data.ts, captured from `tinyGpt2(0)` with `captureLayerInputs`
 * (attention mask and label mask applied), to
 *   packages/eva/test/fixtures/peft-parity-inputs.safetensors      keys "<layer>/<batchIndex>", F32
 * Metadata: `layers` (JSON list in module order), `batches`, `groups` (identical-input groups found).
 *
 *   cd /work/main && npx tsx --conditions=@peftjs/source tools/eva/dump-layer-inputs.ts
 *   /usr/bin/python3 tools/eva/peft_eva_reference.py
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs-core';
import { setBackend, type TensorEntry } from '@peftjs/core';
import { writeSafetensorsFile } from '@peftjs/core/node';
import { captureLayerInputs } from '@peftjs/hooks';
import { tinyGpt2 } from '@peftjs/test-utils/models';
import {
  disposeBatches,
  PARITY_BATCHES,
  PARITY_CONFIG,
  PARITY_MODEL_SEED,
  PARITY_TARGETS,
  parityBatches,
  parityText,
} from './parity-data';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '../../packages/eva/test/fixtures/peft-parity-inputs.safetensors');

async function main(): Promise<void> {
  await setBackend('wasm');
  const model = tinyGpt2(PARITY_MODEL_SEED);
  const data = parityBatches(await parityText());
  const tensors: Record<string, TensorEntry> = {};
  let batchIndex = 0;
  const capture = captureLayerInputs(model, {
    targets: [...PARITY_TARGETS],
    useLabelMask: PARITY_CONFIG.useLabelMask,
    onRows: (layer: string, rows: tf.Tensor2D) => {
      tensors[`${layer}/${batchIndex}`] = {
        dtype: 'F32',
        shape: [...rows.shape],
        data: Float32Array.from(rows.dataSync()),
      };
    },
  });
  try {
    for (; batchIndex < data.length; batchIndex++) {
      const batch = data[batchIndex];
      if (batch === undefined) continue;
      capture.step(batch, () => model.call(batch));
    }
  } finally {
    capture.remove();
  }
  const layers = capture.layers.map((l) => l.name);
  const expectedKeys = layers.length * data.length;
  if (Object.keys(tensors).length !== expectedKeys) {
    throw new Error(
      `dump-layer-inputs: captured ${Object.keys(tensors).length} layer batches, expected ${expectedKeys} (${layers.length} layers x ${data.length} batches); are some layers grouped? groups: ${JSON.stringify(capture.groups)}`,
    );
  }
  await writeSafetensorsFile(out, tensors, {
    layers: JSON.stringify(layers),
    batches: String(data.length),
    groups: JSON.stringify(capture.groups),
    source: `tinyGpt2(${PARITY_MODEL_SEED}), targets ${PARITY_TARGETS.join(',')}, batches ${JSON.stringify(PARITY_BATCHES)}`,
  });
  const bytes = Object.values(tensors).reduce((s, t) => s + t.data.byteLength, 0);
  const rows = layers.map((l) => tensors[`${l}/0`]?.shape.join('x')).join(', ');
  process.stdout.write(
    `wrote ${out}: ${layers.length} layers x ${data.length} batches, ${(bytes / 1e6).toFixed(2)} MB of data; batch 0 shapes ${rows}\n`,
  );
  disposeBatches(data);
  model.dispose();
}

void main();
