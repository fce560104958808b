// NestJS 12 and some of its dependencies ship only as ES modules, which Jest on Node 20 cannot load
// natively: those packages go through a small ESM-to-CJS transformer; our TypeScript through ts-jest.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'collector',
  // Most suites wait on PostgreSQL, Redis and child processes rather than compute: two files at once
  // took the suite from 250 s to 117 s on the 2-core CI machine (Jest's default there is one).
  maxWorkers: 2,
  rootDir: __dirname,
  setupFiles: ['<rootDir>/test/support/quiet-nest-logs.ts'],
  transform: { '^.+\\.ts$': 'ts-jest', '^.+\\.m?js$': '<rootDir>/test/support/esm-to-cjs.transformer.js' },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|uid|strtok3|token-types|@tokenizer|uint8array-extras|load-esm)/)'],
};
