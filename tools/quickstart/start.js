#!/usr/bin/env node
// `npm start` runs this: the quick start is TypeScript built to ./dist by `npm run build`.
'use strict';
const path = require('node:path');
let main;
try {
  ({ main } = require(path.join(__dirname, 'dist/main.js')));
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes(path.join('quickstart', 'dist', 'main.js'))) {
    process.stderr.write('the quick start is not built: run `npm run build` (or `npx tsc -b tools/quickstart/tsconfig.lib.json`) first\n');
    process.exit(1);
  }
  throw error;
}
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error && error.stack) || error}\n`);
    process.exit(1);
  },
);
