#!/usr/bin/env node
// Runs docs/snippets/eva-example.ts (the getting-started example) from the repository root against
// the packages' TypeScript sources and writes what it printed to docs/snippets/eva-example.output.txt.
// Re-run whenever the example or the packages it uses change.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const example = join(root, 'docs', 'snippets', 'eva-example.ts');
const r = spawnSync(process.execPath, ['--conditions=@peftjs/source', '--import', 'tsx', example], {
  cwd: root,
  encoding: 'utf8',
});
if (r.status !== 0) {
  process.stderr.write(r.stdout + r.stderr);
  console.error(`record-example: ${example} exited with ${r.status ?? r.signal}; the output file was not changed`);
  process.exit(1);
}
const printed = `${r.stdout.replace(/\s+$/gm, '').trim()}\n`;
writeFileSync(join(root, 'docs', 'snippets', 'eva-example.output.txt'), printed);
process.stdout.write(printed);
