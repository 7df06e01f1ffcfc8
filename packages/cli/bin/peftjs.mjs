#!/usr/bin/env node
// The peftjs CLI. Run `npm run build` first when working from a clone.
import { setBackend } from '@peftjs/core';
import { runCli } from '../dist/index.js';

await setBackend(process.env.PEFTJS_BACKEND ?? 'auto');
process.exitCode = await runCli(process.argv.slice(2));
