// Install script: builds the N-API addon with node-gyp. It never fails the install: when a
// compiler, Node's headers or a BLAS is missing, or the build fails, it records why in
// build/native-build.json and exits 0; the backend then reports that reason and the apt command.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const record = join(root, 'build', 'native-build.json');
const REBUILD = 'npm rebuild @peftjs/backend-native';
const apt = (...packages) => `apt-get install -y ${packages.join(' ')} && ${REBUILD}`;

function write(result) {
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(record, `${JSON.stringify(result, null, 2)}\n`);
}

function skip(reason, install) {
  rmSync(join(root, 'build', 'Release'), { recursive: true, force: true });
  write({ ok: false, reason, install });
  process.stdout.write(`@peftjs/backend-native: not built (${reason}); the "native" backend stays unavailable until you run: ${install}\n`);
  process.exit(0);
}

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

if (process.env.PEFTJS_NATIVE_SKIP_BUILD === '1') skip('PEFTJS_NATIVE_SKIP_BUILD=1 was set', REBUILD);
if (process.platform !== 'linux') skip(`only Linux builds are supported so far (this is ${process.platform})`, 'use the wasm backend');
for (const tool of ['g++', 'make', 'python3']) if (!has(tool)) skip(`\`${tool}\` is not installed`, apt(tool, 'libopenblas-dev'));
const onednn = existsSync('/usr/include/oneapi/dnnl/dnnl.h');
const openblas = existsSync('/usr/include/x86_64-linux-gnu/cblas.h') || existsSync('/usr/include/cblas.h') || existsSync('/usr/include/openblas/cblas.h');
if (!onednn && !openblas) skip('no BLAS headers found (neither oneDNN nor OpenBLAS)', apt('libopenblas-dev', 'libdnnl-dev'));

// npm puts the node-gyp it bundles in npm_config_node_gyp for lifecycle scripts.
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((c) => typeof c === 'string' && existsSync(c));
const gyp = candidates[0];
if (gyp === undefined) skip('node-gyp was not found (it ships with npm)', `npm install -g node-gyp && ${REBUILD}`);

// Offline machines: use the installed Node headers instead of downloading them.
const args = [gyp, 'rebuild'];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const started = Date.now();
const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
if (run.status !== 0) {
  const tail = `${run.stderr ?? ''}${run.stdout ?? ''}`.split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' | ');
  skip(`node-gyp failed: ${tail || `exit code ${run.status}`}`, apt('g++', 'make', 'python3', 'libopenblas-dev', 'libdnnl-dev'));
}
const blas = spawnSync(process.execPath, [join(root, 'scripts', 'detect-blas.mjs')], { encoding: 'utf8' }).stdout.trim();
write({ ok: true, blas, seconds: (Date.now() - started) / 1000 });
process.stdout.write(`@peftjs/backend-native: built against ${blas} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
