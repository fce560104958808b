import { writeFileSync } from 'node:fs';
import { IDLE_JOB_ID } from '@wattprint/db';
import { batchKey } from '@wattprint/protocol';
import { IDLE, deliveredAcrossCrash, jobDeviceKey, ledgerOf, relativeError, traceIntervals, type EnergyLedger } from '../src/trace-energy';
import { RUN, disposeFaultRun, partialRun, runFaultScenario, type FaultRun } from './support/fault-run';
import { DAY_MS, JOULES_PER_KWH as J_PER_KWH } from '@wattprint/carbon';

/** The bound: every figure within this relative error of the exact integral. */
const EXACT = 1e-9;

let run: FaultRun;
/** What each node's agent delivered, integrated again from its trace; the full trace for agents that never died. */
const delivered = new Map<string, EnergyLedger>();
/** Where the crashed agent's first boot stopped delivering: the end of its last ingested sample. */
let deliveredUntil: number;

beforeAll(async () => {
  try {
    run = await runFaultScenario();
  } catch (error) {
    const partial = partialRun();
    const tail = [...(partial?.collectors ?? []).map((c) => c.output()), ...[...(partial?.agents?.values() ?? [])].map((a) => a.output())]
      .map((o) => o.slice(-3000))
      .join('\n');
    throw new Error(`${(error as Error).message}\nrun log:\n${partial?.log?.join('\n')}\nprocess output (tails):\n${tail}`);
  }
  const boot1 = await run.db.db
    .selectFrom('ingested_batches')
    .select((eb) => [eb.fn.max<number>('last_t1').as('until')])
    .where('agent_id', '=', run.crash.agentId)
    .where('boot_id', '=', run.crash.firstBootId)
    .executeTakeFirstOrThrow();
  deliveredUntil = Number(boot1.until);
  for (const [node, text] of run.traceText) {
    const intervals = traceIntervals(text);
    delivered.set(
      node,
      node === run.crash.node ? ledgerOf(intervals, deliveredAcrossCrash(deliveredUntil, run.crash.resumedAtMs)) : ledgerOf(intervals),
    );
  }
}, 240_000);

afterAll(async () => {
  // WATTPRINT_E2E_LOG=<file>: a summary of the run (timeline, crash, re-adds, gaps) for whoever reads a failure.
  if (process.env.WATTPRINT_E2E_LOG && run) {
    const gaps = await run.db.db.selectFrom('seq_gaps').selectAll().execute();
    const summary = {
      timeline: run.log,
      crash: run.crash,
      deliveredUntil,
      heldAtCrash: run.heldAtCrash,
      readd: {
        during: run.readdFirst.length,
        after: run.readdSecond.length,
        of: run.originals.length,
        duplicatesCountedAfter: run.duplicatesOverSecondRound,
      },
      lostJ: run.generated.truth.nodes[run.crash.node].totalJ - delivered.get(run.crash.node)!.totalJ,
      gaps,
    };
    writeFileSync(process.env.WATTPRINT_E2E_LOG, `${JSON.stringify(summary, null, 1)}\n`);
  }
  await disposeFaultRun(run ?? partialRun());
});

function expectExact(what: string, actualJ: number, expectedJ: number): void {
  const err = relativeError(actualJ, expectedJ);
  if (!(err < EXACT)) throw new Error(`${what}: recorded ${actualJ} J, expected ${expectedJ} J (relative error ${err})`);
}

describe('fault suite: 3 agents × 8 GPUs, 2 collectors, a collector crash, a Redis restart, an agent crash, 10 % re-added batches', () => {
  it('ran every fault: the collector restarted, the agent came back with a new bootId and its seqs carried on', async () => {
    expect(run.collectors[0].starts).toBe(2);
    expect(run.crash.secondBootId).not.toBe(run.crash.firstBootId);
    const boots = await run.db.db
      .selectFrom('ingested_batches')
      .select([
        'boot_id',
        (eb) => eb.fn.min<number>('first_seq').as('first'),
        (eb) => eb.fn.max<number>('last_seq').as('last'),
        (eb) => eb.fn.min<number>('first_t0').as('firstT0'),
      ])
      .where('agent_id', '=', run.crash.agentId)
      .groupBy('boot_id')
      .execute();
    const first = boots.find((b) => b.boot_id === run.crash.firstBootId)!;
    const second = boots.find((b) => b.boot_id === run.crash.secondBootId)!;
    expect(boots).toHaveLength(2);
    expect(Number(first.first)).toBe(0);
    // seq continues across the restart (persisted next seq), never reused
    expect(Number(second.first)).toBeGreaterThan(Number(first.last));
    // the second boot starts exactly at the trace instant it resumed from
    expect(Number(second.firstT0)).toBe(run.crash.resumedAtMs);
    // the dead window is real: something between the last delivered sample and the resume point was lost
    expect(deliveredUntil).toBeLessThan(run.crash.resumedAtMs);
  });

  it('redelivered the batches the killed collector held (BullMQ stalled-job recovery) and counted each once', async () => {
    expect(run.heldAtCrash.length).toBeGreaterThan(0);
    const completed = new Map(run.originals.map((c) => [c.jobId, c]));
    const keys = (await run.db.db.selectFrom('ingested_batches').select('batch_key').execute()).map((r) => r.batch_key);
    for (const id of run.heldAtCrash) {
      const job = completed.get(id);
      expect({ id, completed: job !== undefined, stalled: (job?.stalledCounter ?? 0) >= 1 }).toEqual({
        id,
        completed: true,
        stalled: true,
      });
      expect(keys.filter((k) => k === batchKey(job!.batch))).toHaveLength(1);
    }
  });

  it("the Redis outage sent every agent's batches to its disk spool, none dropped, all ingested once Redis came back", async () => {
    const keys = new Set((await run.db.db.selectFrom('ingested_batches').select('batch_key').execute()).map((r) => r.batch_key));
    for (const agent of run.agents.values()) {
      const out = agent.output();
      // batches made while Redis was down can only have travelled through the spool
      const madeDuringOutage = run.originals.filter(
        (c) => c.batch.agentId === agent.agentId && c.batch.sentAt > run.redisOutage.from && c.batch.sentAt < run.redisOutage.to,
      );
      expect({
        agent: agent.agentId,
        sawOutage: out.includes('"msg":"Redis unreachable; spooling to disk"'),
        sawReturn: out.includes('"msg":"Redis reachable again"'),
        dropped: out.includes('spool full'),
        madeDuringOutage: madeDuringOutage.length >= 2,
        allIngested: madeDuringOutage.every((c) => keys.has(batchKey(c.batch))),
      }).toEqual({ agent: agent.agentId, sawOutage: true, sawReturn: true, dropped: false, madeDuringOutage: true, allIngested: true });
    }
  });

  it('left no dead letter and no failed message', async () => {
    const [samples, events, dead] = await Promise.all([
      run.queues.counts(run.queues.samples),
      run.queues.counts(run.queues.jobEvents),
      run.queues.counts(run.queues.deadLetters),
    ]);
    expect({
      samplesFailed: samples.failed,
      eventsFailed: events.failed,
      deadLetters: dead.completed + dead.pending + dead.failed,
    }).toEqual({ samplesFailed: 0, eventsFailed: 0, deadLetters: 0 });
    expect(await run.db.db.selectFrom('dead_letters').selectAll().execute()).toEqual([]);
  });

  it('counted no batch twice: one ingested_batches row per distinct batch key, and the re-added tenth counted as duplicates', async () => {
    const keys = new Set(run.originals.map((c) => batchKey(c.batch)));
    const rows = await run.db.db.selectFrom('ingested_batches').select(['batch_key', 'joules']).execute();
    expect(rows.length).toBe(keys.size);
    expect(new Set(rows.map((r) => r.batch_key))).toEqual(keys);
    const readd = [...run.readdFirst, ...run.readdSecond];
    expect(readd.length).toBe(Math.ceil(RUN.readdShare * run.originals.length));
    expect(readd.every((r) => keys.has(batchKey(r.batch)))).toBe(true);
    // every re-added batch of the second round was seen and skipped by a live collector, exactly once
    expect(run.duplicatesOverSecondRound).toBe(run.readdSecond.length);
    expect(run.readdSecond.length).toBeGreaterThan(0);
    // the buckets hold exactly the joules of the recorded batches
    const buckets = await run.db.db
      .selectFrom('energy_buckets')
      .select((eb) => eb.fn.sum<number>('joules').as('j'))
      .executeTakeFirstOrThrow();
    expectExact(
      'buckets against recorded batches',
      Number(buckets.j),
      rows.reduce((s, r) => s + Number(r.joules), 0),
    );
  });

  it('every node that never died holds exactly its truth.json integral; the crashed one exactly its trace minus the dead window', async () => {
    const { scenario, truth } = run.generated;
    const usage = await run.api.usage({
      groupBy: 'node',
      bucket: 'day',
      from: new Date(scenario.startMs - DAY_MS),
      to: new Date(scenario.endMs + DAY_MS),
    });
    const byNode = new Map<string, number>();
    for (const row of usage.rows) byNode.set(row.key!, (byNode.get(row.key!) ?? 0) + row.energyKWh * J_PER_KWH);
    for (const node of scenario.nodes) {
      const expected = delivered.get(node.id)!;
      if (node.id !== run.crash.node) expect(expected.totalJ).toBe(truth.nodes[node.id].totalJ);
      expectExact(`node ${node.id}`, byNode.get(node.id) ?? 0, expected.totalJ);
    }
    const lost = truth.nodes[run.crash.node].totalJ - delivered.get(run.crash.node)!.totalJ;
    // the only difference from truth.json is the trace's own energy inside [deliveredUntil, resumedAt)
    const intervals = traceIntervals(run.traceText.get(run.crash.node)!);
    const inWindow = ledgerOf(intervals, (i) => i.t0 >= deliveredUntil && i.t1 <= run.crash.resumedAtMs);
    expect(relativeError(lost, inWindow.totalJ)).toBeLessThan(EXACT);
    expect(
      ledgerOf(intervals, (i) => i.t0 < deliveredUntil && i.t1 > deliveredUntil).totalJ +
        ledgerOf(intervals, (i) => i.t0 < run.crash.resumedAtMs && i.t1 > run.crash.resumedAtMs).totalJ,
    ).toBe(0);
    expect(lost).toBeGreaterThan(0);
  });

  it('every device of every node, idle and per job, holds exactly what was delivered (read from the buckets)', async () => {
    const rows = await run.db.db
      .selectFrom('energy_buckets')
      .select(['node', 'device', 'job_id', (eb) => eb.fn.sum<number>('joules').as('j')])
      .groupBy(['node', 'device', 'job_id'])
      .execute();
    const recorded = new Map(
      rows.map((r) => [`${r.node}\u0000${jobDeviceKey(r.job_id === IDLE_JOB_ID ? IDLE : r.job_id, r.device)}`, Number(r.j)]),
    );
    let checked = 0;
    for (const [node, ledger] of delivered) {
      for (const [key, joules] of ledger.byJobDevice) {
        if (joules === 0) continue;
        expectExact(`bucket ${node}/${key.replace('\u0000', '/')}`, recorded.get(`${node}\u0000${key}`) ?? 0, joules);
        recorded.delete(`${node}\u0000${key}`);
        checked++;
      }
    }
    expect([...recorded.entries()].filter(([, j]) => j !== 0)).toEqual([]); // nothing recorded that was not delivered
    expect(checked).toBeGreaterThan(3 * 8);
  });

  it('every job, through the API, holds exactly its truth.json energy, less only what its nodes lost in the dead window; per node and device', async () => {
    const { scenario, truth } = run.generated;
    expect(new Set((await run.api.jobs()).map((j) => j.id))).toEqual(new Set(scenario.jobs.map((j) => j.id)));
    let jobsLosingEnergy = 0;
    for (const job of scenario.jobs) {
      const detail = await run.api.job(job.id);
      const perNode = job.placement.map((p) => ({ node: p.node, expectedJ: delivered.get(p.node)!.byJob.get(job.id) ?? 0 }));
      const expectedJ = perNode.reduce((s, n) => s + n.expectedJ, 0);
      expectExact(`job ${job.id}`, detail.energy.energyKWh * J_PER_KWH, expectedJ);
      if (!job.placement.some((p) => p.node === run.crash.node)) expect(expectedJ).toBe(truth.jobs[job.id].energyJ);
      else if (relativeError(expectedJ, truth.jobs[job.id].energyJ) >= EXACT) jobsLosingEnergy++;
      for (const n of perNode) {
        const view = detail.nodes.find((v) => v.node === n.node);
        expectExact(`job ${job.id} on ${n.node}`, (view?.energyKWh ?? 0) * J_PER_KWH, n.expectedJ);
        for (const device of job.placement.find((p) => p.node === n.node)!.devices) {
          const d = view?.devices.find((x) => x.device === device);
          expectExact(
            `job ${job.id} on ${n.node}/${device}`,
            (d?.energyKWh ?? 0) * J_PER_KWH,
            delivered.get(n.node)!.byJobDevice.get(jobDeviceKey(job.id, device)) ?? 0,
          );
        }
      }
      expect(detail.job).toMatchObject({
        user: job.metadata.user,
        team: job.metadata.team,
        project: job.metadata.project,
        startedAt: new Date(job.startMs).toISOString(),
      });
    }
    expect(jobsLosingEnergy).toBeGreaterThan(0);
  });

  it('reports the crash as one gap spanning exactly the dead window, no seq claimed twice, listed by every job that lost energy and no other', async () => {
    const gaps = await run.db.db.selectFrom('seq_gaps').selectAll().execute();
    const boots = await run.db.db
      .selectFrom('ingested_batches')
      .select(['boot_id', (eb) => eb.fn.min<number>('first_seq').as('first'), (eb) => eb.fn.max<number>('last_seq').as('last')])
      .where('agent_id', '=', run.crash.agentId)
      .groupBy('boot_id')
      .execute();
    const firstBoot = boots.find((b) => b.boot_id === run.crash.firstBootId)!;
    const secondBoot = boots.find((b) => b.boot_id === run.crash.secondBootId)!;
    // the only gap of the whole ledger: the collector crash and the Redis restart lost no sequence
    expect(
      gaps.map((g) => ({
        agent: g.agent_id,
        boot: g.boot_id,
        node: g.node,
        fromSeq: Number(g.from_seq),
        toSeq: Number(g.to_seq),
        fromT: Number(g.from_t),
        toT: Number(g.to_t),
      })),
    ).toEqual([
      {
        agent: run.crash.agentId,
        boot: run.crash.secondBootId,
        node: run.crash.node,
        // the seqs between the two boots (none when the old boot's last batch was not lost in flight)
        fromSeq: Number(firstBoot.last) + 1,
        toSeq: Number(secondBoot.first) - 1,
        fromT: deliveredUntil,
        toT: run.crash.resumedAtMs,
      },
    ]);
    let listing = 0;
    for (const job of run.generated.scenario.jobs) {
      const detail = await run.api.job(job.id);
      const onCrashedNode = job.placement.some((p) => p.node === run.crash.node);
      const lostEnergy =
        onCrashedNode && (delivered.get(run.crash.node)!.byJob.get(job.id) ?? 0) < run.generated.truth.jobs[job.id].nodes[run.crash.node];
      const spanOverlaps = job.startMs < run.crash.resumedAtMs && (job.truncated || job.endMs > deliveredUntil);
      if (onCrashedNode && spanOverlaps) {
        listing++;
        expect({ job: job.id, energyMissing: detail.gaps.energyMissing, nodes: detail.gaps.items.map((g) => g.node) }).toEqual({
          job: job.id,
          energyMissing: true,
          nodes: [run.crash.node],
        });
        expect(detail.gaps.items[0]).toMatchObject({
          from: new Date(deliveredUntil).toISOString(),
          to: new Date(run.crash.resumedAtMs).toISOString(),
        });
      } else {
        expect({ job: job.id, lostEnergy, gaps: detail.gaps }).toEqual({
          job: job.id,
          lostEnergy: false,
          gaps: { energyMissing: false, items: [] },
        });
      }
    }
    expect(listing).toBeGreaterThan(0);
  });
});
