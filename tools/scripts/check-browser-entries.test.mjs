// node --test tools/scripts/check-browser-entries.test.mjs: the browser-entry check finds what it must.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkBrowserEntries } from './check-browser-entries.mjs';

const roots = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function repo(files) {
  const root = mkdtempSync(join(tmpdir(), 'check-browser-entries-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), typeof text === 'string' ? text : JSON.stringify(text));
  }
  return root;
}

// A dependency that guards a builtin and maps it to false for browsers, as tfjs-core does with `util`.
const guardedDependency = {
  'node_modules/guarded/package.json': { name: 'guarded', main: 'index.js', browser: { util: false } },
  'node_modules/guarded/index.js':
    "const util = typeof window === 'undefined' ? require('util') : null;\nexports.ok = 1;\n",
};

test('entries that reach no builtin pass, builtins a dependency disables for browsers included', async () => {
  const root = repo({
    ...guardedDependency,
    'packages/a/package.json': { name: '@peftjs/a' },
    'packages/a/src/index.ts': "export { ok } from 'guarded';\nexport { readIt } from './b';\n",
    'packages/a/src/b.ts': 'export const readIt = (bytes: Uint8Array) => bytes.length;\n',
    // Node-only code behind ./node is not the main entry's business.
    'packages/a/src/node.ts': "import { readFile } from 'node:fs/promises';\nexport const read = readFile;\n",
  });
  const { checked, problems, disabled } = await checkBrowserEntries(root, {});
  assert.deepEqual(checked, ['a']);
  assert.deepEqual(problems, []);
  assert.deepEqual(disabled, ['a: util in node_modules/guarded/index.js']);
});

test('a builtin reached statically, dynamically or without the node: prefix fails, with the import chain', async () => {
  const root = repo({
    'packages/a/package.json': { name: '@peftjs/a' },
    'packages/a/src/index.ts': "export { save } from './io';\n",
    'packages/a/src/io.ts':
      "export async function save() {\n  const fs = await import('node:fs/promises');\n  return fs;\n}\n",
    'packages/b/package.json': { name: '@peftjs/b' },
    'packages/b/src/index.ts': "import { Worker } from 'worker_threads';\nexport const W = Worker;\n",
    'packages/cli/package.json': { name: '@peftjs/cli' },
    'packages/cli/src/index.ts': "import { argv } from 'node:process';\nexport const args = argv;\n",
  });
  const { checked, problems } = await checkBrowserEntries(root, { cli: 'a Node program' });
  assert.deepEqual(checked, ['a', 'b']);
  assert.equal(problems.length, 2);
  assert.match(
    problems[0],
    /^packages\/a\/src\/index.ts reaches the Node builtin "node:fs\/promises" \(packages\/a\/src\/index.ts -> packages\/a\/src\/io.ts\)/,
  );
  assert.match(problems[1], /^packages\/b\/src\/index.ts reaches the Node builtin "worker_threads"/);
});
