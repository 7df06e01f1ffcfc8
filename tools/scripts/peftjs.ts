// The peftjs CLI run from source (no build needed): `npm run peftjs -- <command>`, `npm run demo`.
import { setBackend, type BackendName } from '@peftjs/core';
import { runCli } from '@peftjs/cli';

await setBackend((process.env['PEFTJS_BACKEND'] as BackendName | undefined) ?? 'auto');
process.exitCode = await runCli(process.argv.slice(2));
