#!/usr/bin/env node
// `wattprint-slurm`: the Slurm prolog/epilog and their spool (deploy/slurm/*.sh run it). Built to ../dist
// (npx tsc -b apps/slurm/tsconfig.lib.json). Loads nothing but Node's own modules: it is in every job's start-up path.
'use strict';
const path = require('node:path');
let main;
try {
  ({ main } = require(path.join(__dirname, '../dist/main.js')));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    process.stderr.write('wattprint-slurm is not built: run `npx tsc -b apps/slurm/tsconfig.lib.json` first\n');
    process.exit(process.argv[2] === 'prolog' || process.argv[2] === 'epilog' ? 0 : 1);
  }
  throw error;
}
main(process.argv.slice(2), __filename).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error && error.stack) || error}\n`);
    process.exit(process.argv[2] === 'prolog' || process.argv[2] === 'epilog' ? 0 : 1);
  },
);
