import nx from '@nx/eslint-plugin';

// Tags on two axes (see shared STYLE): type:app|pure|contract|data-access and
// scope:agent|server|cli|shared. The constraints below are the architecture.
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // The estimation model and the wire contract stand alone.
            { sourceTag: 'type:pure', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contract'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:pure', 'type:contract', 'type:data-access'] },
            // The agent ships to every GPU node: it never carries the database layer.
            { sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:agent', 'scope:shared'] },
            { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared', 'scope:server'] },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
          ],
        },
      ],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The dashboards' tests run the generated SQL on the real schema and against the collector's own
    // hour-factor rules; the library itself stays pure.
    files: ['libs/dashboards/test/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // libs/estimation is pure: no Node built-ins, no frameworks.
    files: ['libs/estimation/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'net'], message: 'libs/estimation is pure: no I/O.' }] }],
    },
  },
  {
    // The agent stays small: no database, no web framework.
    files: ['apps/agent/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['kysely', '@nestjs/*', 'pg', 'better-sqlite3'], message: 'The agent never imports the database layer or NestJS.' }] }],
    },
  },
];
