// A library is wired in five places (its tsconfig path, the Jest preset, the build, the npm workspace,
// the Docker image); forgetting one shows only on a fresh clone or in the image. This test reads them all.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const json = (path: string) => JSON.parse(read(path)) as Record<string, any>;

const projects = ['apps', 'libs', 'tools'].flatMap((group) =>
  readdirSync(join(ROOT, group), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(ROOT, group, e.name, 'project.json')))
    .map((e) => `${group}/${e.name}`),
);
const libs = projects.filter((p) => p.startsWith('libs/'));
const packages = projects.filter((p) => existsSync(join(ROOT, p, 'package.json')));

describe('workspace wiring', () => {
  it.each(libs)('%s has a tsconfig path, a Jest mapping and a place in the build', (lib) => {
    const name = `@wattprint/${lib.split('/')[1]}`;
    expect(json('tsconfig.base.json').compilerOptions.paths[name]).toEqual([`${lib}/src/index.ts`]);
    const mapper = (require(join(ROOT, 'jest.preset.js')) as { moduleNameMapper: Record<string, string> }).moduleNameMapper;
    expect(mapper[`^${name}$`]).toBe(join(ROOT, lib, 'src', 'index.ts'));
    expect(json('tsconfig.build.json').references).toContainEqual({ path: `${lib}/tsconfig.lib.json` });
    expect(json(`${lib}/package.json`).name).toBe(name);
  });

  it.each(packages)('%s is an npm workspace whose package.json the Docker image copies before npm ci', (pkg) => {
    const workspaces = json('package.json').workspaces as string[];
    expect(workspaces.some((w) => w === pkg || (w.endsWith('/*') && pkg.startsWith(w.slice(0, -1))))).toBe(true);
    expect(read('deploy/Dockerfile')).toContain(`COPY ${pkg}/package.json ${pkg}/\n`);
  });

  it('builds every project that has a library build', () => {
    const built = projects.filter((p) => existsSync(join(ROOT, p, 'tsconfig.lib.json'))).map((p) => ({ path: `${p}/tsconfig.lib.json` }));
    for (const ref of built) expect(json('tsconfig.build.json').references).toContainEqual(ref);
  });

  it('promises the Node that npm ci installs for, in README.md and package.json alike', () => {
    expect(json('package.json').engines.node).toBe('>=20.19 <21 || >=22');
    expect(read('README.md')).toContain('Node.js 20.19+');
  });
});
