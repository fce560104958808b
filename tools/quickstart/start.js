#!/usr/bin/env node
// `npm start` runs this after `npm run build`, which builds the quick start (TypeScript in ./src) and
// everything it starts. @wattprint/* resolve through their npm workspace links.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, 'dist', 'main.js');
if (!existsSync(built)) {
  process.stderr.write('the quick start is not built: run `npm ci`, then `npm run build` (or simply `npm start`)\n');
  process.exit(1);
}
const { main } = require(built);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error && error.stack) || error}\n`);
    process.exit(1);
  },
);
