// The tags say what each project's code does, and eslint.config.mjs makes that true: this test writes the
// imports each tag forbids into each kind of project (as text, linted with the project's own config) and
// checks that lint refuses them, and that what the tags allow passes.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const BOUNDARY = '@nx/enforce-module-boundaries';
const BAN = '@typescript-eslint/no-restricted-imports';

interface Probe {
  project: string;
  file: string;
  code: string;
}
interface Linted extends Probe {
  rules: string[];
  messages: string[];
}

function lint(probes: Probe[]): Linted[] {
  const run = spawnSync(process.execPath, [join(__dirname, 'support', 'lint-probes.mjs')], {
    cwd: ROOT,
    input: JSON.stringify(probes),
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  if (run.status !== 0) throw new Error(`lint-probes.mjs failed:\n${run.stderr}`);
  const results = JSON.parse(run.stdout) as Array<Omit<Linted, 'code'>>;
  return results.map((r, i) => ({ ...probes[i], ...r }));
}

/** An import of `what` from `module`, used so no unused-import rule speaks instead. */
const importing = (module: string, what = '* as m') =>
  `import ${what} from '${module}';\nexport const probe = ${what.replace('* as ', '')};\n`;
const src = (project: string, module: string) => ({ project, file: 'src/boundary-probe.ts', code: importing(module) });

// [probe, the rule that must refuse it, words of its message]
const REFUSED: Array<[Probe, string, string]> = [
  // type:pure: no I/O, no framework, only other pure libraries.
  [src('libs/carbon', 'node:fs'), BAN, 'type:pure'],
  [src('libs/carbon', 'pino'), BAN, 'type:pure'],
  [src('libs/carbon', '@wattprint/db'), BOUNDARY, 'type:pure'],
  [src('libs/dashboards', 'node:fs'), BAN, 'type:pure'],
  [src('libs/estimation', 'node:child_process'), BAN, 'type:pure'],
  // type:contract: zod and node:crypto only, nothing of ours.
  [src('libs/protocol', 'pino'), BAN, 'type:contract'],
  [src('libs/protocol', '@wattprint/carbon'), BOUNDARY, 'type:contract'],
  // type:runtime: logs and configuration, no stores, no network, no processes.
  [src('libs/runtime', 'kysely'), BAN, 'type:runtime'],
  [src('libs/runtime', 'node:child_process'), BAN, 'type:runtime'],
  [src('libs/runtime', 'node:http'), BAN, 'type:runtime'],
  // type:data-access: no framework, no processes.
  [src('libs/api-client', '@nestjs/common'), BAN, 'type:data-access'],
  [src('libs/db', 'node:child_process'), BAN, 'type:data-access'],
  // scope:cli may not import scope:server, nor reach a store itself.
  [src('apps/cli', '@wattprint/db'), BOUNDARY, 'scope:cli'],
  [src('apps/cli', '@wattprint/dashboards'), BOUNDARY, 'scope:cli'],
  [src('apps/cli', 'kysely'), BAN, 'scope:cli'],
  // scope:agent: never the database layer or the server framework.
  [src('apps/agent', '@wattprint/db'), BOUNDARY, 'scope:agent'],
  [src('apps/agent', '@nestjs/common'), BAN, 'scope:agent'],
  // Nothing that ships uses the development tools (scope:dev).
  [src('apps/collector', '@wattprint/sim'), BOUNDARY, 'scope:server'],
  [src('apps/agent', '@wattprint/traces'), BOUNDARY, 'scope:agent'],
  // Apps are never imported, by name or by path, from a lib's tests either.
  [
    {
      project: 'libs/dashboards',
      file: 'test/boundary-probe.test.ts',
      code: importing('../../../apps/collector/src/bootstrap', '{ createCollectorApp }'),
    },
    BOUNDARY,
    'relative or absolute path',
  ],
  [src('apps/collector', '@wattprint/cli'), BOUNDARY, 'Imports of apps are forbidden'],
];

const ALLOWED: Probe[] = [
  src('libs/carbon', 'zod'),
  src('libs/dashboards', '@wattprint/carbon'),
  src('libs/protocol', 'node:crypto'),
  src('libs/runtime', 'pino'),
  src('libs/api-client', '@wattprint/protocol'),
  src('apps/cli', '@wattprint/api-client'),
  src('apps/agent', '@wattprint/runtime'),
  src('apps/collector', '@wattprint/carbon'),
  src('tools/sim', 'node:child_process'),
  src('tools/quickstart', '@wattprint/sim'),
  // Tests may seed the real schema and use the harness.
  { project: 'libs/dashboards', file: 'test/boundary-probe.test.ts', code: importing('@wattprint/db') },
  { project: 'apps/collector', file: 'test/boundary-probe.test.ts', code: importing('@wattprint/sim') },
];

describe('the tags, as lint enforces them', () => {
  const results = lint([...REFUSED.map(([probe]) => probe), ...ALLOWED]);

  it.each(REFUSED.map(([probe, rule, words], i) => [`${probe.project}/${probe.file}`, probe.code.split("'")[1], rule, words, i] as const))(
    '%s may not import %s (%s)',
    (_where, _module, rule, words, i) => {
      const linted = results[i];
      expect(linted.rules).toContain(rule);
      expect(linted.messages.join('\n')).toContain(words);
    },
  );

  it.each(ALLOWED.map((probe, i) => [`${probe.project}/${probe.file}`, probe.code.split("'")[1], REFUSED.length + i] as const))(
    '%s may import %s',
    (_where, _module, i) => {
      expect(results[i].messages).toEqual([]);
    },
  );
});
