#!/usr/bin/env node
// The peftjs CLI. Run `npm run build` first when working from a clone.
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv.slice(2));
