// Lints source texts as if they were files of the workspace's projects, with each project's own ESLint
// config (which derives its import bans from the project's tags). Run by boundaries.test.ts as a plain
// node process: ESLint loads flat configs with import(), which Jest's module sandbox does not offer.
//
//   stdin:  [{ "project": "libs/carbon", "file": "src/probe.ts", "code": "…" }, …]
//   stdout: [{ "project", "file", "rules": ["@nx/enforce-module-boundaries", …], "messages": ["…"] }, …]
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..', '..', '..');
const { ESLint } = createRequire(join(root, 'package.json'))('eslint');
const probes = JSON.parse(readFileSync(0, 'utf8'));
const engines = new Map();
const out = [];
for (const { project, file, code } of probes) {
  if (!engines.has(project)) engines.set(project, new ESLint({ cwd: join(root, project) }));
  const [result] = await engines.get(project).lintText(code, { filePath: join(root, project, file) });
  out.push({ project, file, rules: result.messages.map((m) => m.ruleId), messages: result.messages.map((m) => m.message) });
}
process.stdout.write(JSON.stringify(out));
