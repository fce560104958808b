import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSpec, specPathOf } from './admit';

describe('specPathOf', () => {
  it('finds wattprint-spec=PATH anywhere in a comment, and nothing else', () => {
    expect(specPathOf('wattprint-spec=/home/a/run.yaml')).toBe('/home/a/run.yaml');
    expect(specPathOf('nightly wattprint-spec=/s.json retry')).toBe('/s.json');
    expect(specPathOf('xwattprint-spec=/s.json')).toBeNull();
    expect(specPathOf(undefined)).toBeNull();
  });
});

describe('readSpec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wattprint-admit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const uid = process.getuid?.() ?? 0;

  it('reads JSON and YAML specs of the submitting user', () => {
    writeFileSync(join(dir, 'a.json'), '{"name":"a"}');
    writeFileSync(join(dir, 'b.yaml'), 'name: b\n');
    expect(readSpec(join(dir, 'a.json'), uid)).toEqual({ name: 'a' });
    expect(readSpec(join(dir, 'b.yaml'), uid)).toEqual({ name: 'b' });
  });

  it("refuses a relative path and another user's private file", () => {
    expect(() => readSpec('run.yaml', uid)).toThrow(/expected an absolute path/);
    const secret = join(dir, 'secret.yaml');
    writeFileSync(secret, 'name: s\n');
    chmodSync(secret, 0o600);
    expect(() => readSpec(secret, uid + 1)).toThrow(/not owned by the submitting user nor world-readable/);
    chmodSync(secret, 0o644);
    expect(readSpec(secret, uid + 1)).toEqual({ name: 's' });
  });
});
