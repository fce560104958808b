#!/usr/bin/env node
// `npm start` runs this. The quick start is TypeScript built to ./dist; `npm run build` builds it once
// tsconfig.build.json references tools/quickstart/tsconfig.lib.json. Until then (or in a checkout
// built before that), a missing build is made here with the workspace's own tsc.
// It uses tools/sim (@wattprint/sim), built by the same tsc -b through its project reference.
'use strict';
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const path = require('node:path');

const built = path.join(__dirname, 'dist', 'main.js');
const simBuilt = path.join(__dirname, '..', 'sim', 'dist', 'index.js');
if (!existsSync(built) || !existsSync(simBuilt)) {
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
// @wattprint/protocol resolves through its npm workspace link (node_modules/@wattprint/protocol), but
// tools/* are not npm workspaces, so no link exists for @wattprint/sim: the built code's
// require('@wattprint/sim') is pointed at tools/sim's build here, the one place the quick start starts.
const toolBuilds = new Map([['@wattprint/sim', simBuilt]]);
const Module = require('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, toolBuilds.get(request) ?? request, ...rest);
};
const { main } = require(built);
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error && error.stack) || error}\n`);
    process.exit(1);
  },
);
