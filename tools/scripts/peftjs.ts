// The peftjs CLI run from source (no build needed): `npm run peftjs -- <command>`, `npm run demo`.
import { main } from '@peftjs/cli';

process.exitCode = await main(process.argv.slice(2));
