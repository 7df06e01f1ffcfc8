#!/usr/bin/env node
// Fails when library, test, tool or docs code imports the `@tensorflow/tfjs` umbrella or uses a chained
// tensor method the umbrella used to install. peftjs imports `@tensorflow/tfjs-core`; core sets up the cpu
// backend and the gradients once (packages/core/src/tfjs-setup.ts).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const roots = ['packages', 'tools', 'docs'].map((d) => join(root, d));
const skip = new Set(['node_modules', 'dist', '.vitepress/cache', 'generated', '.nx']);
const umbrella = /(from\s+|import\s*\(\s*|import\s+|require\(\s*)['"]@tensorflow\/tfjs['"]/;
const offenders = [];

function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (skip.has(name) || name.startsWith('.readme-example-')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (/\.(ts|mts|mjs|js|vue|md)$/.test(name)) {
      readFileSync(path, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (umbrella.test(line)) offenders.push(`${relative(root, path)}:${i + 1}`);
        });
    }
  }
}
roots.forEach(walk);
if (offenders.length > 0) {
  console.error(
    `These import the @tensorflow/tfjs umbrella, which peftjs no longer depends on; import '@tensorflow/tfjs-core' ` +
      `(and run \`npm install\` after merging main):\n  ${offenders.join('\n  ')}`,
  );
  process.exit(1);
}
