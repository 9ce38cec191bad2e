#!/usr/bin/env node
// The CLI entry: runs the compiled TypeScript (built by `npm ci` through the `prepare` script).
import { main } from '../dist/cli/main.js';

main(process.argv).catch((err) => {
  console.error(`continuum: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
