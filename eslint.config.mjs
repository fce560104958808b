import nx from '@nx/eslint-plugin';

/** A project's own import ban, for its eslint.config.mjs: `files` there are relative to the project. */
export function forbidImports(files, modules, message) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns: [{ group: modules, message }] }] } };
}

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
      // Prettier wraps code at 140 (.prettierrc.json); this catches the comments and strings it leaves alone.
      'max-len': ['error', { code: 160, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
