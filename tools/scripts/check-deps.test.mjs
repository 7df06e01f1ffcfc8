// node --test tools/scripts/check-deps.test.mjs: the dependency check finds what it must.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { check } from './check-deps.mjs';

function repo(files) {
  const root = mkdtempSync(join(tmpdir(), 'check-deps-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), typeof text === 'string' ? text : JSON.stringify(text));
  }
  return root;
}

test('a clean graph passes', () => {
  const root = repo({
    'packages/core/package.json': { name: '@peftjs/core' },
    'packages/core/src/index.ts': 'export const x = 1;\n',
    'packages/lora/package.json': { name: '@peftjs/lora', dependencies: { '@peftjs/core': '0.0.0' } },
    'packages/lora/src/index.ts': "import { x } from '@peftjs/core';\nexport const y = x;\n",
  });
  assert.deepEqual(check(root), []);
});

test('an import against the rules, an undeclared import, a forbidden manifest entry and an unknown package are all reported', () => {
  const root = repo({
    'packages/core/package.json': { name: '@peftjs/core', dependencies: { '@peftjs/lora': '0.0.0' } },
    'packages/core/src/a.ts': "import { y } from '@peftjs/lora';\n",
    'packages/hooks/package.json': { name: '@peftjs/hooks' },
    'packages/hooks/src/a.ts': "import type { Module } from '@peftjs/core';\n",
    'packages/streaming-svd/package.json': { name: '@peftjs/streaming-svd', dependencies: { '@peftjs/core': '0.0.0' } },
    'packages/streaming-svd/src/a.ts': "import { Module, Rng } from '@peftjs/core';\n",
    'packages/rank-allocator/package.json': { name: '@peftjs/rank-allocator' },
    'packages/rank-allocator/src/a.ts': "export { createRegistry } from '@peftjs/core/registry';\n",
    'packages/extra/package.json': { name: '@peftjs/extra' },
  });
  const problems = check(root).join('\n');
  assert.match(problems, /packages\/core\/package.json depends on @peftjs\/lora/);
  assert.match(
    problems,
    /packages\/core\/src\/a.ts: imports @peftjs\/lora, but core may import only no @peftjs package/,
  );
  assert.match(
    problems,
    /packages\/hooks\/src\/a.ts: imports @peftjs\/core, which packages\/hooks\/package.json does not list/,
  );
  assert.match(problems, /takes Module from @peftjs\/core/);
  assert.doesNotMatch(problems, /takes Rng/);
  assert.match(problems, /@peftjs\/core\/registry is bundled at build time, so @peftjs\/core must be a devDependency/);
  assert.match(problems, /packages\/extra: not in the dependency graph/);
});

test('@peftjs/test-utils is allowed only in tests and devDependencies, never at run time', () => {
  const testUtils = { name: '@peftjs/test-utils', private: true };
  const clean = repo({
    'packages/test-utils/package.json': testUtils,
    'packages/test-utils/src/index.ts': 'export const helper = 1;\n',
    'packages/core/package.json': { name: '@peftjs/core', devDependencies: { '@peftjs/test-utils': '0.0.0' } },
    'packages/core/src/a.test.ts': "import { helper } from '@peftjs/test-utils';\n",
    'packages/core/src/b.test-support.ts': "export { helper } from '@peftjs/test-utils';\n",
  });
  assert.deepEqual(check(clean), []);

  const root = repo({
    'packages/test-utils/package.json': { name: '@peftjs/test-utils' },
    'packages/core/package.json': { name: '@peftjs/core', dependencies: { '@peftjs/test-utils': '0.0.0' } },
    'packages/core/src/a.ts': "import { helper } from '@peftjs/test-utils';\n",
    'packages/lora/package.json': {
      name: '@peftjs/lora',
      dependencies: { '@peftjs/core': '0.0.0' },
      peerDependencies: { '@peftjs/test-utils': '*' },
    },
    'packages/lora/src/testing/suite.ts': "import { tinyGpt2 } from '@peftjs/test-utils/models';\n",
    'packages/lora/src/a.test.ts': "import { helper } from '@peftjs/test-utils';\n",
  });
  const problems = check(root).join('\n');
  assert.match(problems, /packages\/test-utils\/package.json: a test-only package must be "private": true/);
  assert.match(problems, /packages\/core\/package.json lists @peftjs\/test-utils as a run-time dependency/);
  assert.match(problems, /packages\/lora\/package.json lists @peftjs\/test-utils as a run-time dependency/);
  assert.match(problems, /packages\/core\/src\/a.ts: imports @peftjs\/test-utils, which is for tests only/);
  // the published ./testing suites run for users too
  assert.match(
    problems,
    /packages\/lora\/src\/testing\/suite.ts: imports @peftjs\/test-utils\/models, which is for tests only/,
  );
  assert.match(
    problems,
    /packages\/lora\/src\/a.test.ts: imports @peftjs\/test-utils, which packages\/lora\/package.json does not list in devDependencies/,
  );
  assert.doesNotMatch(
    problems,
    /core\/src\/a.ts: imports @peftjs\/test-utils, which packages\/core\/package.json does not list/,
  );
});

test('a published ./testing suite may import its own package by name, nothing else may', () => {
  const root = repo({
    'packages/core/package.json': { name: '@peftjs/core' },
    'packages/lora/package.json': { name: '@peftjs/lora', dependencies: { '@peftjs/core': '0.0.0' } },
    'packages/lora/src/testing/suite.ts': "import { injectAdapters } from '@peftjs/lora';\n",
    'packages/lora/src/a.ts': "import { injectAdapters } from '@peftjs/lora';\n",
  });
  const problems = check(root);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /packages\/lora\/src\/a.ts: imports @peftjs\/lora, but lora may import only @peftjs\/core/);
});
