#!/usr/bin/env node
require('../dist/main.js')
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
