import { CommitterClosedError, GroupCommitter } from './group-committer';

const transient = (): Error => Object.assign(new Error('down'), { code: 'ECONNREFUSED' });
const dataError = (): Error => Object.assign(new Error('bad row'), { code: '22021' });

function committer(
  commit: (items: number[]) => Promise<void>,
  over: Partial<ConstructorParameters<typeof GroupCommitter<number>>[0]> = {},
) {
  return new GroupCommitter<number>({
    windowMs: 5,
    maxItems: 100,
    commit,
    isDataError: (e) => (e as { code?: string }).code === '22021',
    retryMinMs: 1,
    retryMaxMs: 5,
    ...over,
  });
}

describe('GroupCommitter', () => {
  it('merges items submitted together into one commit and resolves each after it', async () => {
    const groups: number[][] = [];
    const c = committer(async (items) => void groups.push(items));
    await Promise.all([1, 2, 3].map((i) => c.submit(i)));
    expect(groups).toEqual([[1, 2, 3]]);
  });

  it('commits at once when a group is full, and groups what arrives during a commit', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const c = committer(
      async (items) => {
        groups.push(items);
        if (groups.length === 1) await gate;
      },
      { maxItems: 2, windowMs: 1000 },
    );
    const first = [c.submit(1), c.submit(2)];
    const later = [c.submit(3), c.submit(4)];
    await new Promise((r) => setImmediate(r));
    expect(groups).toEqual([[1, 2]]);
    release();
    await Promise.all([...first, ...later]);
    expect(groups).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('runs up to maxInFlight commits at once', async () => {
    let running = 0;
    let most = 0;
    const c = committer(
      async () => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      },
      { maxItems: 1, maxInFlight: 2 },
    );
    await Promise.all([1, 2, 3, 4].map((i) => c.submit(i)));
    expect(most).toBe(2);
  });

  it('retries a group through an outage, reporting each failure and the recovery once', async () => {
    let failures = 3;
    const events: string[] = [];
    const c = committer(
      async () => {
        if (failures-- > 0) throw transient();
      },
      { onOutage: () => events.push('down'), onRecovered: () => events.push('up') },
    );
    await Promise.all([c.submit(1), c.submit(2)]);
    expect(events).toEqual(['down', 'down', 'down', 'up']);
  });

  it('retries through a failure nobody foresaw as through an outage: only a data error sets an item aside', async () => {
    let failures = 2;
    const committed: number[] = [];
    const c = committer(async (items) => {
      if (failures-- > 0) throw new TypeError('a bug, or a driver message never seen before');
      committed.push(...items);
    });
    await Promise.all([c.submit(1), c.submit(2)]);
    expect(committed).toEqual([1, 2]);
  });

  it('isolates an item whose write is wrong: the others of its group commit', async () => {
    const committed: number[] = [];
    const c = committer(async (items) => {
      if (items.includes(2)) throw dataError();
      committed.push(...items);
    });
    const results = await Promise.allSettled([1, 2, 3].map((i) => c.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(committed).toEqual([1, 3]);
  });

  it('commits what it holds on close, and refuses new items', async () => {
    const committed: number[] = [];
    const c = committer(async (items) => void committed.push(...items), { windowMs: 1000 });
    const held = c.submit(1);
    await c.close();
    await held;
    expect(committed).toEqual([1]);
    await expect(c.submit(2)).rejects.toBeInstanceOf(CommitterClosedError);
  });

  it('gives up rather than retry when the database goes down while closing', async () => {
    const c = committer(
      async () => {
        throw transient();
      },
      { windowMs: 1000 },
    );
    const held = c.submit(1);
    const closing = c.close();
    await expect(held).rejects.toBeInstanceOf(CommitterClosedError);
    await closing;
  });

  it('on close during an outage rejects the waiting submitters with CommitterClosedError', async () => {
    const c = committer(
      async () => {
        throw transient();
      },
      { retryMinMs: 1000, retryMaxMs: 1000 },
    );
    const pending = c.submit(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.outage).toBe(true);
    await c.close(true);
    await expect(pending).rejects.toBeInstanceOf(CommitterClosedError);
  });
});
