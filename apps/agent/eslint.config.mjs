import root from '../../eslint.config.mjs';

export default [
  ...root,
  {
    // The agent runs on every GPU node and stays small: no database layer, no web framework.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['kysely', '@nestjs/*', 'pg', 'better-sqlite3'], message: 'The agent never imports the database layer or NestJS.' }] },
      ],
    },
  },
];
