#!/usr/bin/env node
// Entry point of the `paiban` command. Source maps make stack traces and log callers point at
// the TypeScript files.
import { existsSync } from 'node:fs';

process.setSourceMapsEnabled(true);
const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('paiban is not built yet: run `npm run build` first\n');
  process.exit(1);
}
await import(cli.href);
