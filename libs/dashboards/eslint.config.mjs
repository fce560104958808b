import root from '../../eslint.config.mjs';

export default [
  ...root,
  {
    // The tests run the generated SQL on the real schema and against the collector's own hour-factor
    // rules; the library itself stays pure.
    files: ['test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
];
