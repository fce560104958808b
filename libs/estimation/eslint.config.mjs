import root from '../../eslint.config.mjs';

export default [
  ...root,
  {
    // libs/estimation is pure: no Node built-ins, no I/O.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'net'], message: 'libs/estimation is pure: no I/O.' }] },
      ],
    },
  },
];
