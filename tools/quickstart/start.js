#!/usr/bin/env node
// `npm start` runs this. The quick start is TypeScript built to ./dist; `npm run build` builds it once
// tsconfig.build.json references tools/quickstart/tsconfig.lib.json. Until then (or in a checkout
// built before that), a missing build is made here with the workspace's own tsc.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, 'dist', 'main.js');
if (!existsSync(built)) {
  let tsc;
  try {
    tsc = require.resolve('typescript/bin/tsc', { paths: [path.join(__dirname, '..', '..')] });
  } catch {
    process.stderr.write('the quick start is not built and TypeScript is not installed: run `npm install`, then `npm run build`\n');
    process.exit(1);
  }
  process.stderr.write('building the quick start (tsc -b tools/quickstart/tsconfig.lib.json)\n');
  const result = spawnSync(process.execPath, [tsc, '-b', path.join(__dirname, 'tsconfig.lib.json')], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(1);
}
const { main } = require(built);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error && error.stack) || error}\n`);
    process.exit(1);
  },
);
