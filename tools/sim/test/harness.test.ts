import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManagedProcess, RedisServer, writeTraceSuffix } from '../src';

jest.setTimeout(30_000);

describe('RedisServer', () => {
  it('keeps every acknowledged write across a SIGKILL and a start on the same port', async () => {
    const redis = await RedisServer.start();
    const client = redis.client();
    try {
      await client.set('k', 'v');
      await redis.stop('SIGKILL');
      expect(redis.running).toBe(false);
      await redis.start();
      expect(await client.get('k')).toBe('v');
      expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      client.disconnect();
      await redis.dispose();
    }
  });
});

describe('ManagedProcess', () => {
  it('starts, is killed, starts again with a changed environment, and keeps the output of both runs', async () => {
    const p = new ManagedProcess({
      name: 'echo',
      command: process.execPath,
      args: ['-e', 'console.log("run " + process.env.RUN); setInterval(() => {}, 1000)'],
      env: { RUN: '1' },
    });
    p.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(await p.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    p.setEnv({ RUN: '2' });
    p.start();
    await new Promise((r) => setTimeout(r, 300));
    expect(p.currentOutput()).toContain('run 2');
    expect(p.currentOutput()).not.toContain('run 1');
    expect(p.output()).toMatch(/run 1[\s\S]*run 2/);
    await p.kill('SIGTERM');
    expect(p.starts).toBe(2);
  });
});

describe('writeTraceSuffix', () => {
  it('keeps the header and every point from the instant on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-suffix-'));
    try {
      writeFileSync(
        join(dir, 't.csv'),
        't_ms,device,power_w,job_id\n1000,gpu0,70.00,\n1000,gpu1,70.00,\n2000,gpu0,300.00,j\n2000,gpu1,70.00,\n3000,gpu0,310.00,j\n',
      );
      expect(await writeTraceSuffix(join(dir, 't.csv'), join(dir, 's.csv'), 2000)).toEqual({ points: 3 });
      expect(readFileSync(join(dir, 's.csv'), 'utf8')).toBe(
        't_ms,device,power_w,job_id\n2000,gpu0,300.00,j\n2000,gpu1,70.00,\n3000,gpu0,310.00,j\n',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
