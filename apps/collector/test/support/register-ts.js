// Lets a child process run the collector from its TypeScript sources (as jest does), so tests that
// need real separate processes do not depend on a stale build: `node -r <this file> src/main.ts`.
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const ts = require('typescript');

const root = path.resolve(__dirname, '../../../..');
const aliases = {
  '@wattprint/protocol': 'libs/protocol/src/index.ts',
  '@wattprint/estimation': 'libs/estimation/src/index.ts',
  '@wattprint/db': 'libs/db/src/index.ts',
  '@wattprint/dashboards': 'libs/dashboards/src/index.ts',
};

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, aliases[request] ? path.join(root, aliases[request]) : request, ...rest);
};

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  esModuleInterop: true,
  resolveJsonModule: true,
};
require.extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
