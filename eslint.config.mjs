import nx from '@nx/eslint-plugin';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = import.meta.dirname;

/** A project's own import ban, for its eslint.config.mjs: `files` there are relative to the project. */
export function forbidImports(files, modules, message) {
  return { files, rules: { 'no-restricted-imports': ['error', { patterns: [{ group: modules, message }] }] } };
}

// Tags on two axes (see shared STYLE and docs/architecture in README.md). Each tag says what a project's
// code does, and both halves below make that true: the Nx rule checks which projects it may import,
// TAG_BANS which outside modules its sources may not. tools/workspace/test/boundaries.test.ts shows each rule biting.
//
// type:app         a program or a test suite; nothing imports it
// type:pure        computation only: no Node built-ins, no I/O, no framework
// type:contract    the wire contract: zod and node:crypto (HMAC) only
// type:data-access reads and writes Wattprint's stores: the database (Kysely) and the collector's API
// type:runtime     process plumbing (structured logs, configuration from the environment): no stores, no network
// type:tool        development tooling (process harness, trace generator): spawns processes, writes files
//
// scope:agent | server | cli   the program a project ships in; scope:shared goes into several;
// scope:dev        tests, benchmarks and the quick start: may use anything, and nothing that ships uses it
const TYPE_CONSTRAINTS = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:pure', 'type:contract', 'type:data-access', 'type:runtime', 'type:tool'] },
  { sourceTag: 'type:pure', onlyDependOnLibsWithTags: ['type:pure'] },
  { sourceTag: 'type:contract', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:contract', 'type:pure'] },
  { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:contract', 'type:pure'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:pure', 'type:contract', 'type:data-access', 'type:runtime', 'type:tool'] },
];
const SCOPE_CONSTRAINTS = [
  // The agent ships to every GPU node: it never carries the database layer or the server.
  { sourceTag: 'scope:agent', onlyDependOnLibsWithTags: ['scope:agent', 'scope:shared'] },
  { sourceTag: 'scope:cli', onlyDependOnLibsWithTags: ['scope:cli', 'scope:shared'] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:dev', onlyDependOnLibsWithTags: ['scope:dev', 'scope:agent', 'scope:server', 'scope:cli', 'scope:shared'] },
];
// Tests run on real infrastructure: a pure library's tests may seed the real schema (libs/db), and any
// project's tests may use the process harness and the trace generator (scope:dev).
const TEST_TYPE_CONSTRAINTS = TYPE_CONSTRAINTS.map((c) =>
  c.sourceTag === 'type:pure' ? { ...c, onlyDependOnLibsWithTags: ['type:pure', 'type:data-access', 'type:tool'] } : c,
);
const TEST_SCOPE_CONSTRAINTS = SCOPE_CONSTRAINTS.map((c) => ({
  ...c,
  onlyDependOnLibsWithTags: [...new Set([...c.onlyDependOnLibsWithTags, 'scope:dev'])],
}));

const NODE_BUILTINS = [
  'node:*',
  'fs',
  'fs/*',
  'path',
  'os',
  'child_process',
  'http',
  'https',
  'net',
  'tls',
  'dgram',
  'worker_threads',
  'cluster',
];
const DATABASE = ['kysely', 'kysely/*', 'pg', 'better-sqlite3'];
const QUEUES = ['bullmq', 'ioredis'];
const FRAMEWORK = ['@nestjs/*', 'nestjs-pino', 'express'];
const LOGGING = ['pino', 'pino-http'];
const PROCESSES = ['child_process', 'node:child_process'];
const NETWORK = ['http', 'https', 'net', 'tls', 'dgram', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:dgram'];

/** What each tag forbids in a project's sources (specs and tests excepted). */
const TAG_BANS = {
  'type:pure': [
    { group: [...NODE_BUILTINS, ...DATABASE, ...QUEUES, ...FRAMEWORK, ...LOGGING], message: 'type:pure: no I/O and no framework.' },
  ],
  'type:contract': [{ regex: '^(?!(zod|node:crypto)$|\\.)', message: 'type:contract: zod and node:crypto only.' }],
  'type:data-access': [
    { group: [...FRAMEWORK, ...PROCESSES], message: 'type:data-access: no framework and no processes; services and apps own those.' },
  ],
  'type:runtime': [
    { group: [...DATABASE, ...QUEUES, ...FRAMEWORK, ...PROCESSES, ...NETWORK], message: 'type:runtime: logs and configuration only.' },
  ],
  'scope:agent': [
    { group: [...DATABASE, ...FRAMEWORK], message: 'scope:agent: the agent never imports the database layer or the server framework.' },
  ],
  'scope:cli': [
    {
      group: [...DATABASE, ...QUEUES, ...FRAMEWORK],
      message: 'scope:cli: the CLI talks to the collector over its API, never to its stores.',
    },
  ],
};

/** Every project of the workspace: its folder and tags, read from project.json. */
function projects() {
  return ['apps', 'libs', 'tools'].flatMap((group) =>
    readdirSync(join(ROOT, group), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(ROOT, group, e.name, 'project.json')))
      .map((e) => ({
        dir: `${group}/${e.name}`,
        tags: JSON.parse(readFileSync(join(ROOT, group, e.name, 'project.json'), 'utf8')).tags ?? [],
      })),
  );
}

/** One config object per tagged project: the bans of all its tags, under a rule of its own so a project's local bans add to them. */
function tagBans() {
  return projects().flatMap(({ dir, tags }) => {
    const patterns = tags.flatMap((t) => TAG_BANS[t] ?? []);
    if (patterns.length === 0) return [];
    return [
      {
        basePath: ROOT,
        files: [`${dir}/src/**/*.ts`],
        ignores: [`${dir}/src/**/*.spec.ts`],
        rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
      },
    ];
  });
}

const boundaries = (typeConstraints, scopeConstraints) => [
  'error',
  { enforceBuildableLibDependency: false, allow: [], depConstraints: [...typeConstraints, ...scopeConstraints] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/node_modules', '**/coverage', '**/*.js', '**/*.mjs'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': boundaries(TYPE_CONSTRAINTS, SCOPE_CONSTRAINTS),
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Prettier wraps code at 140 (.prettierrc.json); this catches the comments and strings it leaves alone.
      'max-len': ['error', { code: 160, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@nx/enforce-module-boundaries': boundaries(TEST_TYPE_CONSTRAINTS, TEST_SCOPE_CONSTRAINTS),
    },
  },
  ...tagBans(),
];
