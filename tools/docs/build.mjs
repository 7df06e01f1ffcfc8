#!/usr/bin/env node
// `npm run docs:build`: TypeDoc HTML first (it fails the build on any warning, an undocumented
// public export included, before the slow steps), then generated pages, static assets and the
// VitePress build. Offline: reads only the repository and node_modules.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate as generateBenchmarks } from './gen-benchmarks.mjs';
import { generate as generateChangelog } from './gen-changelog.mjs';
import { copyAssets } from './copy-assets.mjs';
import { generate as generateExports } from './gen-exports.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

function step(label, fn) {
  const t0 = performance.now();
  const result = fn();
  console.log(`docs:build ${label} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return result;
}

function run(command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' } });
  if (r.status !== 0) {
    console.error(`docs:build: ${command} ${args.join(' ')} failed with exit code ${r.status ?? r.signal}`);
    process.exit(r.status ?? 1);
  }
}

const t0 = performance.now();
step('API reference (TypeDoc)', () => run(bin('typedoc'), ['--options', 'tools/docs/typedoc.config.mjs']));
step('benchmarks page', generateBenchmarks);
step('changelog page', generateChangelog);
step('static assets', copyAssets);
step('export lists', generateExports);
if (process.argv.includes('--prepare')) {
  // For `vitepress dev docs`: everything the pages include or link to, without the site build.
  console.log(`docs:build --prepare done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} else {
  step('site (VitePress)', () => run(bin('vitepress'), ['build', 'docs']));
  console.log(`docs:build done in ${((performance.now() - t0) / 1000).toFixed(1)} s -> docs/.vitepress/dist`);
}
