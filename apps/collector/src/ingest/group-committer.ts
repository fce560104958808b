import { backoffMs } from './db-errors';

/** Raised to the submitters still waiting when the committer is closed during an outage. */
export class CommitterClosedError extends Error {
  constructor() {
    super('group committer closed before the commit succeeded');
    this.name = 'CommitterClosedError';
  }
}

export interface GroupCommitterOptions<T> {
  /** How long the first item of a group waits for others to join it. */
  windowMs: number;
  /** A group commits at once when it holds this many items. */
  maxItems: number;
  /** Commits that may run at once (1 = strictly one after the other). Default 1. */
  maxInFlight?: number;
  /** Writes a group in one transaction; throws if nothing was committed. */
  commit(items: T[]): Promise<void>;
  /**
   * True when a failure proves the data wrong: the group is then retried item by item, and an item
   * that fails so alone is rejected with the error. Every other failure is retried with back-off,
   * holding the items, until it succeeds or the committer closes.
   */
  isDataError(error: unknown): boolean;
  retryMinMs: number;
  retryMaxMs: number;
  /** Called on every failure that is retried, and once when a commit succeeds after one. */
  onOutage?(error: unknown): void;
  onRecovered?(): void;
}

interface Pending<T> {
  item: T;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Merges items submitted concurrently into groups written by one commit each; every submitter's
 * promise settles only after the commit of its group. One commit runs at a time: what arrives
 * meanwhile forms the next group, so the group size grows with the load by itself.
 *
 * A failure that does not prove the data wrong (database down, or anything unforeseen) retries the
 * same group with back-off, holding the submitters, so nothing is acknowledged before it is stored.
 * A data error in a group of several is retried item by item, so one bad item fails alone.
 */
export class GroupCommitter<T> {
  private pending: Array<Pending<T>> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private closed = false;
  private inOutage = false;
  private wakeRetry: (() => void) | undefined;

  constructor(private readonly options: GroupCommitterOptions<T>) {}

  submit(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new CommitterClosedError());
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** True while commits fail and are being retried. */
  get outage(): boolean {
    return this.inOutage;
  }

  /**
   * Stops taking items. When `abandon` is true (shutdown during an outage) the waiting submitters
   * are rejected at once; otherwise the pending groups are committed first.
   */
  async close(abandon = false): Promise<void> {
    this.closed = true;
    if (abandon) {
      this.wakeRetry?.();
      this.failPending(new CommitterClosedError());
    } else {
      this.flush();
    }
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private get busy(): boolean {
    return this.running.size >= (this.options.maxInFlight ?? 1);
  }

  private schedule(): void {
    if (this.busy) return; // a running commit flushes what piles up when it ends
    if (this.pending.length >= this.options.maxItems || this.options.windowMs === 0) {
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.options.windowMs);
    }
  }

  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.busy) return;
    const group = this.pending.splice(0, this.options.maxItems);
    const commit: Promise<void> = this.commitGroup(group).finally(() => {
      this.running.delete(commit);
      if (this.pending.length > 0) this.flush();
    });
    this.running.add(commit);
  }

  private async commitGroup(group: Array<Pending<T>>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.commit(group.map((p) => p.item));
        if (this.inOutage) {
          this.inOutage = false;
          this.options.onRecovered?.();
        }
        for (const p of group) p.resolve();
        return;
      } catch (error) {
        if (!this.options.isDataError(error)) {
          this.inOutage = true;
          this.options.onOutage?.(error);
          if (this.closed) {
            for (const p of group) p.reject(new CommitterClosedError());
            return;
          }
          await this.sleep(backoffMs(attempt, this.options.retryMinMs, this.options.retryMaxMs));
          if (this.closed) {
            for (const p of group) p.reject(new CommitterClosedError());
            return;
          }
          continue;
        }
        if (group.length === 1) {
          group[0].reject(error);
          return;
        }
        for (const p of group) await this.commitGroup([p]);
        return;
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeRetry = done;
    });
  }

  private failPending(error: Error): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    for (const p of this.pending.splice(0)) p.reject(error);
  }
}
