// Resolves `@wattprint/<lib>` to the built libs/<lib>/dist when node_modules has no workspace links
// (npm creates them on install; this checkout's lockfile predates the workspaces). Preloaded with
// `node -r` by tools/bench/ingest.mjs for the collector it starts.
const Module = require('node:module');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const match = /^@wattprint\/([a-z-]+)$/.exec(request);
  if (match) {
    try {
      return resolve.call(this, request, ...rest);
    } catch {
      return resolve.call(this, path.join(root, 'libs', match[1], 'dist', 'index.js'), ...rest);
    }
  }
  return resolve.call(this, request, ...rest);
};
