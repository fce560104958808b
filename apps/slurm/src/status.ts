import type { Spool } from './spool';

export interface SpoolStatus {
  dir: string;
  events: Array<{
    eventId: string;
    type: string;
    jobId: string;
    /** waiting: for the collector; awaiting-final-state: an end waiting for Slurm. */
    state: 'waiting' | 'awaiting-final-state';
    queuedAt: string;
    attempts: number;
    lastError: string | null;
  }>;
  rejected: number;
  dropped: number;
}

export function spoolStatus(spool: Spool): SpoolStatus {
  return {
    dir: spool.dir,
    events: spool.list().map(({ record }) => ({
      eventId: record.body.eventId,
      type: record.body.type,
      jobId: record.body.jobId,
      state: record.pending ? 'awaiting-final-state' : 'waiting',
      queuedAt: new Date(record.queuedAt).toISOString(),
      attempts: record.attempts,
      lastError: record.lastError,
    })),
    rejected: spool.rejectedCount(),
    dropped: spool.droppedCount(),
  };
}

/** A table for people: one row per event, then the counters and any configuration problem. */
export function formatStatus(status: SpoolStatus, problems: string[]): string {
  const header = ['event', 'job', 'state', 'queued at', 'attempts', 'last error'];
  const rows = status.events.map((e) => [e.eventId, e.jobId, e.state, e.queuedAt, String(e.attempts), e.lastError ?? '']);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => Math.min(r[i].length, i === 5 ? 80 : 200))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 5 ? c.slice(0, 80) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const out = [`spool ${status.dir}: ${status.events.length} event(s), ${status.rejected} rejected, ${status.dropped} dropped`];
  if (rows.length > 0) out.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line));
  for (const p of problems) out.push(`config: ${p}`);
  return out.join('\n');
}
