#!/usr/bin/env node
// `npm test` runs this first: every package imports (in its library code) and declares (in its
// manifest) only the @peftjs packages the dependency rules of DESIGN.md allow. The graph below is
// the single copy of those rules in the repository; README.md and docs/concepts show it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Arrows point to what a package may import. */
export const ALLOWED = {
  cli: ['eva', 'hooks', 'streaming-svd', 'rank-allocator', 'lora', 'trainer', 'models', 'core'],
  eva: ['hooks', 'streaming-svd', 'rank-allocator', 'lora', 'trainer', 'models', 'core'],
  hooks: ['core'],
  lora: ['core'],
  trainer: ['core'],
  models: ['core'],
  // Core's RNG, safetensors codec, errors and registry only: no Module types (checked by name below).
  'streaming-svd': ['core'],
  // Nothing at run time; `@peftjs/core/registry` (tfjs-free) is bundled into its build.
  'rank-allocator': [],
  // Loaded by core by name; it must not import any @peftjs package.
  'backend-native': [],
  core: [],
  // Private test helpers (see TEST_ONLY): may use any library package, since nothing runs it but tests.
  'test-utils': [
    'cli',
    'eva',
    'hooks',
    'streaming-svd',
    'rank-allocator',
    'lora',
    'trainer',
    'models',
    'backend-native',
    'core',
  ],
};

/**
 * Private packages for tests only: never published, so a package may list them only under
 * `devDependencies` and import them only from its tests (`*.test.ts`, `*.test-support.ts`), never
 * from code that runs for a user (which includes the published `src/testing/` suites).
 */
export const TEST_ONLY = ['test-utils'];

/**
 * Packages a package loads by name at run time (never a static import), declared as optional peers:
 * core's `setBackend('native' | 'auto')` loads `@peftjs/backend-native` when it is installed.
 */
const LOADED_BY_NAME = { core: ['backend-native'] };

/** Subpath imports bundled at build time, so allowed from a devDependency. */
const BUNDLED = { 'rank-allocator': ['@peftjs/core/registry'] };

/** What streaming-svd may take from core (DESIGN: "its RNG and safetensors codec only"). */
const STREAMING_SVD_FROM_CORE = new Set([
  'Rng',
  'RngState',
  'decodeSafetensors',
  'encodeSafetensors',
  'TensorEntry',
  'createRegistry',
  'Registry',
  'PeftjsError',
  'isPeftjsError',
  'assertFinite',
  'NonFiniteError',
  'setBackend',
]);

const isTestFile = (name) => /\.test\.ts$|\.test-support\.ts$/.test(name);

/** Library code (what runs for a user, `src/testing/` included) or, with `tests`, the test files. */
function sourceFiles(dir, { tests = false } = {}) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path, { tests }));
    else if (/\.(ts|mts|mjs)$/.test(name) && isTestFile(name) === tests) out.push(path);
  }
  return out;
}

/** Every `import ... from 'x'` / `export ... from 'x'` / `import('x')` with its named bindings. */
export function importsOf(source) {
  const found = [];
  for (const m of source.matchAll(/(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g))
    found.push({ specifier: m[3], names: m[2] });
  for (const m of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push({ specifier: m[1], names: '' });
  return found;
}

export function check(root) {
  const problems = [];
  const packagesDir = join(root, 'packages');
  for (const dir of readdirSync(packagesDir).sort()) {
    const manifestPath = join(packagesDir, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const allowed = ALLOWED[dir];
    if (allowed === undefined) {
      problems.push(
        `packages/${dir}: not in the dependency graph of tools/scripts/check-deps.mjs; add it (and to DESIGN.md's rules)`,
      );
      continue;
    }
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (TEST_ONLY.includes(dir) && manifest.private !== true)
      problems.push(`packages/${dir}/package.json: a test-only package must be "private": true (never published)`);
    const runtime = { ...manifest.dependencies, ...manifest.peerDependencies, ...manifest.optionalDependencies };
    for (const name of Object.keys(runtime)) {
      const target = name.startsWith('@peftjs/') ? name.slice('@peftjs/'.length) : null;
      if (target !== null && TEST_ONLY.includes(target)) {
        problems.push(
          `packages/${dir}/package.json lists ${name} as a run-time dependency; it is private and for tests only, so list it under devDependencies`,
        );
        continue;
      }
      if (target !== null && (LOADED_BY_NAME[dir] ?? []).includes(target)) {
        const optionalPeer =
          manifest.peerDependencies?.[name] !== undefined && manifest.peerDependenciesMeta?.[name]?.optional === true;
        if (!optionalPeer)
          problems.push(
            `packages/${dir}/package.json: ${name} is loaded by name, so it must be an optional peerDependency`,
          );
        continue;
      }
      if (target !== null && !allowed.includes(target))
        problems.push(
          `packages/${dir}/package.json depends on ${name}, which ${dir} may not use (allowed: ${allowed.join(', ') || 'none'})`,
        );
    }
    const src = join(packagesDir, dir, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src, { tests: true })) {
      for (const { specifier } of importsOf(readFileSync(file, 'utf8'))) {
        const target = specifier.startsWith('@peftjs/') ? specifier.slice('@peftjs/'.length).split('/')[0] : null;
        if (target !== null && TEST_ONLY.includes(target) && !manifest.devDependencies?.[`@peftjs/${target}`])
          problems.push(
            `${relative(root, file)}: imports ${specifier}, which packages/${dir}/package.json does not list in devDependencies`,
          );
      }
    }
    for (const file of sourceFiles(src)) {
      const rel = relative(root, file);
      for (const { specifier, names } of importsOf(readFileSync(file, 'utf8'))) {
        if (!specifier.startsWith('@peftjs/')) continue;
        const target = specifier.slice('@peftjs/'.length).split('/')[0];
        if (TEST_ONLY.includes(target) && !TEST_ONLY.includes(dir)) {
          problems.push(
            `${rel}: imports ${specifier}, which is for tests only; import it from a *.test.ts or *.test-support.ts file`,
          );
          continue;
        }
        // A published `./testing` suite imports its own package by name, so that it sees the same
        // registries (and classes) as the user's code instead of a bundled second copy.
        if (target === dir && relative(src, file).split(/[\\/]/)[0] === 'testing') continue;
        if ((BUNDLED[dir] ?? []).includes(specifier)) {
          if (!manifest.devDependencies?.[`@peftjs/${target}`])
            problems.push(
              `${rel}: ${specifier} is bundled at build time, so @peftjs/${target} must be a devDependency`,
            );
          continue;
        }
        if (!allowed.includes(target)) {
          problems.push(
            `${rel}: imports ${specifier}, but ${dir} may import only ${allowed.map((a) => `@peftjs/${a}`).join(', ') || 'no @peftjs package'}`,
          );
        } else if (runtime[`@peftjs/${target}`] === undefined) {
          problems.push(
            `${rel}: imports ${specifier}, which packages/${dir}/package.json does not list in dependencies`,
          );
        }
        if (dir === 'streaming-svd' && target === 'core') {
          for (const raw of names.replace(/[{}]/g, '').split(',')) {
            const name = raw
              .trim()
              .replace(/^type\s+/, '')
              .split(/\s+as\s+/)[0];
            if (name && !STREAMING_SVD_FROM_CORE.has(name))
              problems.push(
                `${rel}: takes ${name} from @peftjs/core; streaming-svd may use only ${[...STREAMING_SVD_FROM_CORE].join(', ')}`,
              );
          }
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const problems = check(fileURLToPath(new URL('../..', import.meta.url)));
  if (problems.length > 0) {
    console.error(`check-deps: ${problems.length} import(s) break the dependency rules:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(
    `check-deps: every package imports only what the dependency rules allow (${Object.keys(ALLOWED).length} packages in the graph)`,
  );
}
