#!/usr/bin/env node
// Checks what each package would publish: publint (manifest vs files) and
// @arethetypeswrong/cli (types resolve for ESM and CJS consumers). Builds first. Private packages
// (`"private": true`) are skipped: npm refuses to publish them.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const run = (cmd, args, cwd = root) => execFileSync(cmd, args, { cwd, stdio: 'inherit' });

run('npx', ['nx', 'run-many', '-t', 'build']);
const failures = [];
for (const name of readdirSync(join(root, 'packages')).sort()) {
  const dir = join(root, 'packages', name);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) continue;
  // Private workspace packages (@peftjs/test-utils) are never packed or published.
  if (JSON.parse(readFileSync(manifest, 'utf8')).private === true) {
    console.log(`\n== @peftjs/${name}: private, not published (skipped)`);
    continue;
  }
  console.log(`\n== @peftjs/${name}`);
  try {
    run('npx', ['publint', '--strict'], dir);
    // node10 resolution cannot see `exports`; we ship `main`/`types` for it but its subpath rules do not apply.
    run('npx', ['attw', '--pack', '.', '--profile', 'node16'], dir);
  } catch {
    failures.push(name);
  }
}
if (failures.length > 0) {
  console.error(`\ncheck:publish failed for: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('\ncheck:publish: every package is clean');
