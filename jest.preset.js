// Shared Jest settings: ts-jest in transpile-only mode (each project's tsconfig.json sets
// isolatedModules; `npm run build` type-checks), and workspace libs mapped to their sources
// so tests never depend on a stale build.
const path = require('node:path');

const libs = ['protocol', 'estimation', 'carbon', 'runtime', 'api-client', 'db', 'dashboards'];

module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  moduleNameMapper: {
    ...Object.fromEntries(libs.map((lib) => [`^@wattprint/${lib}$`, path.join(__dirname, 'libs', lib, 'src', 'index.ts')])),
    // Test helpers live behind a `/testing` entry point that only specs import.
    ...Object.fromEntries(libs.map((lib) => [`^@wattprint/${lib}/testing$`, path.join(__dirname, 'libs', lib, 'src', 'testing.ts')])),
    // Tools the end-to-end suite and benchmarks build on.
    '^@wattprint/sim$': path.join(__dirname, 'tools', 'sim', 'src', 'index.ts'),
    '^@wattprint/traces$': path.join(__dirname, 'tools', 'traces', 'src', 'index.ts'),
  },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
};
