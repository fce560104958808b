import root, { forbidImports } from '../../eslint.config.mjs';

// libs/estimation is pure: no Node built-ins, no I/O.
export default [
  ...root,
  forbidImports(['src/**/*.ts'], ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'net'], 'libs/estimation is pure: no I/O.'),
];
