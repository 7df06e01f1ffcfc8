#!/usr/bin/env node
// `npm test` runs this (in `check:deps`): the main entry of every library package (`src/index.ts`,
// what `import ... from '@peftjs/x'` loads) must run in a browser, so bundling it for the browser
// must reach no Node builtin (`node:fs/promises`, `fs`, `worker_threads`, ...), through a static or a
// dynamic import, however deep. Node-only code (file IO, worker threads) goes behind the package's
// `./node` subpath export (`src/node.ts`, `@peftjs/x/node`).
//
// A dependency may import builtins that its package.json `browser` field maps to `false`: every
// browser bundler (esbuild here, Vite for the docs site, webpack) replaces those with an empty module,
// and the dependency guards their use. tfjs does this (tfjs-core and tfjs-backend-cpu: `util`, `crypto`,
// `worker_threads`; tfjs-backend-wasm: `fs`, `path`, `os`, `worker_threads`, `perf_hooks`), as does
// seedrandom (`crypto`). These are the dependencies' own declarations, resolved exactly as a user's
// bundler resolves them, not an exemption kept here; `--verbose` lists them. Our own packages declare
// no `browser` map, so any builtin they reach fails the check.
import { builtinModules } from 'node:module';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Packages that are Node-only as a whole (no browser entry to check), and why. */
export const NODE_ONLY_PACKAGES = {
  cli: 'the `peftjs` command: a Node program (argv, files, stdout, worker threads)',
  'backend-native': 'a tfjs backend over an N-API addon (a compiled BLAS), which only Node can load',
  'test-utils': 'private test helpers run by vitest on Node (it reads README files); never published',
};

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (specifier) => specifier.startsWith('node:') || BUILTINS.has(specifier);

/** The same resolution as the docs site and a user's bundler: browser platform, sources through `@peftjs/source`. */
function bundle(root, entry, plugins = []) {
  return build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    conditions: ['@peftjs/source'],
    logLevel: 'silent',
    metafile: true,
    plugins,
  });
}

/** The import path from `entry` to `target` in an esbuild metafile (breadth first), as `a -> b -> c`. */
function chain(metafile, entry, target) {
  const previous = new Map([[entry, null]]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.shift();
    if (file === target) break;
    for (const { path } of metafile.inputs[file]?.imports ?? []) {
      if (previous.has(path) || metafile.inputs[path] === undefined) continue;
      previous.set(path, file);
      queue.push(path);
    }
  }
  if (!previous.has(target)) return target;
  const path = [];
  for (let at = target; at !== null; at = previous.get(at)) path.unshift(at);
  return path.join(' -> ');
}

/**
 * Bundles `packages/<name>/src/index.ts` for the browser for every package but {@link NODE_ONLY_PACKAGES}.
 * Returns one problem per builtin (or other module) the bundle cannot have, with the import chain that
 * reaches it, and the builtins dependencies disable through their `browser` maps.
 */
export async function checkBrowserEntries(root, nodeOnly = NODE_ONLY_PACKAGES) {
  const problems = [];
  const disabled = [];
  const checked = [];
  for (const name of readdirSync(join(root, 'packages')).sort()) {
    const entry = `packages/${name}/src/index.ts`;
    if (name in nodeOnly || !existsSync(join(root, entry))) continue;
    checked.push(name);
    try {
      const { metafile } = await bundle(root, entry);
      for (const [file, input] of Object.entries(metafile.inputs))
        for (const { path } of input.imports)
          if (path.startsWith('(disabled):') && isBuiltin(path.slice(11)))
            disabled.push(`${name}: ${path.slice(11)} in ${file}`);
    } catch (error) {
      if (!Array.isArray(error.errors)) throw error;
      // Bundle again with the builtins left external, for the chain from the entry to each importer.
      const { metafile } = await bundle(root, entry, [
        {
          name: 'builtins-external',
          setup(b) {
            b.onResolve({ filter: /.*/ }, (args) =>
              isBuiltin(args.path) ? { path: args.path, external: true } : null,
            );
          },
        },
      ]).catch(() => ({ metafile: { inputs: {} } }));
      for (const e of error.errors) {
        const file = e.location?.file;
        const what = /Could not resolve "([^"]+)"/.exec(e.text)?.[1];
        const via = file === undefined ? entry : chain(metafile, entry, file);
        problems.push(
          what !== undefined && isBuiltin(what)
            ? `${entry} reaches the Node builtin "${what}" (${via}); move that code behind the package's ./node export (src/node.ts)`
            : `${entry} does not bundle for the browser: ${e.text}${file === undefined ? '' : ` (${via})`}`,
        );
      }
    }
  }
  return { checked, problems: [...new Set(problems)], disabled: [...new Set(disabled)] };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const { checked, problems, disabled } = await checkBrowserEntries(root);
  if (problems.length > 0) {
    console.error(
      `check-browser-entries: a main entry must run in a browser, but ${problems.length} import(s) reach Node-only code:\n  ${problems.join('\n  ')}`,
    );
    process.exit(1);
  }
  if (process.argv.includes('--verbose'))
    console.log(`builtins disabled by dependencies' browser maps:\n  ${disabled.join('\n  ')}`);
  const skipped = Object.entries(NODE_ONLY_PACKAGES).map(([name, why]) => `${name}: ${why}`);
  console.log(
    `check-browser-entries: the main entries of ${checked.join(', ')} bundle for the browser with no Node builtin ` +
      `(Node-only by design, skipped: ${skipped.join('; ')})`,
  );
}
