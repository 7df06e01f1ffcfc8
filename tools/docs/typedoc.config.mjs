// TypeDoc options for the API reference (`npm run docs:build`) and its fast check (`npm run docs:validate`).
// Entry points come from the workspace, not from a list kept by hand: every package under packages/
// that is not `"private": true`, and in each its main entry `src/index.ts` plus `src/node.ts` (the
// `./node` subpath) where it has one. `./registry` re-exports a subset of the main entry and
// `./testing` holds test doubles, so neither is in the reference.
// Every warning fails the run: an export without a doc comment (`validation.notDocumented`) is one.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute paths of the packages the reference documents, sorted by directory name. */
export function documentedPackages(packagesDir = join(root, 'packages')) {
  return readdirSync(packagesDir)
    .sort()
    .map((dir) => join(packagesDir, dir))
    .filter((dir) => {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest) || !existsSync(join(dir, 'src', 'index.ts'))) return false;
      return JSON.parse(readFileSync(manifest, 'utf8')).private !== true;
    });
}

// Settings that TypeDoc's `packages` strategy applies per package (it ignores the root `validation`
// there and validates each package on its own, so the checks live here).
const packageOptions = {
  // One pattern that always matches index.ts, so a package without node.ts is no warning.
  entryPoints: ['src/@(index|node).ts'],
  tsconfig: 'tsconfig.json',
  excludePrivate: true,
  excludeInternal: true,
  readme: 'none',
  skipErrorChecking: true,
  disableSources: true,
  validation: {
    notDocumented: true,
    // Off until the types it names are exported: NativeBackend, CompareReportInput, FieldReader,
    // RopeDefaults and TokenizerConfig are referenced by public signatures but not exported.
    notExported: false,
    invalidLink: false,
  },
};

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'peftjs API reference',
  entryPointStrategy: 'packages',
  entryPoints: documentedPackages(),
  packageOptions,
  out: join(root, 'docs', 'public', 'api'),
  readme: 'none',
  skipErrorChecking: true,
  excludeExternals: true,
  githubPages: false,
  hideGenerator: true,
  includeVersion: false,
  cleanOutputDir: true,
  treatWarningsAsErrors: true,
  validation: { notExported: false, invalidLink: false, notDocumented: true },
  logLevel: 'Warn',
  disableSources: true,
  navigationLinks: { 'peftjs docs': '/' },
};
