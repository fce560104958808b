import root, { forbidImports } from '../../eslint.config.mjs';

// The agent runs on every GPU node and stays small: no database layer, no web framework.
export default [
  ...root,
  forbidImports(['src/**/*.ts'], ['kysely', '@nestjs/*', 'pg', 'better-sqlite3'], 'The agent never imports the database layer or NestJS.'),
];
