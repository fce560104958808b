// NestJS 12 and some of its dependencies ship only as ES modules, which Jest on Node 20 cannot load
// natively: those packages go through a small ESM-to-CJS transformer; our TypeScript through ts-jest.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'collector',
  rootDir: __dirname,
  setupFiles: ['<rootDir>/test/support/quiet-nest-logs.ts'],
  transform: { '^.+\\.ts$': 'ts-jest', '^.+\\.m?js$': '<rootDir>/test/support/esm-to-cjs.transformer.js' },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|file-type|uid|strtok3|token-types|@tokenizer|uint8array-extras|load-esm)/)'],
};
