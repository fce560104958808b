import { join } from 'node:path';
import { Attributor } from '../src/attribution/attributor';
import { ProcessJobs } from '../src/attribution/process-jobs';
import { ProcReader } from '../src/attribution/proc-reader';
import { JobTracker, seenSpans } from '../src/jobs/job-tracker';
import { silentLogger } from '../src/logger';
import { NvidiaSmiSource } from '../src/sources/nvidia-smi/nvidia-smi.source';
import type { DeviceInterval } from '../src/sources/device-interval';
import { FAKE_SMI, capture, tempDir } from './helpers/paths';
import { K8S_V2, SLURM_V2, writeProcTree } from './helpers/proc-tree';

const POD = '0f6e3c1a-2b4d-4e8f-9a7b-5c3d2e1f0a9b';

/** The three processes of the H100 load capture, placed in two jobs and one pod. */
function procTree(cpu: { a: number; b: number; c: number; busy: number }): string {
  const root = join(tempDir('proc'), 'proc');
  writeProcTree(
    root,
    {
      11327: {
        environ: { SLURM_JOB_ID: '1234', SLURM_JOB_USER: 'ada', SLURM_JOB_ACCOUNT: 'vision', SLURM_JOB_NAME: 'resnet', PATH: '/usr/bin' },
        cgroup: SLURM_V2('1234'),
        cpuTicks: cpu.a,
        comm: 'memhog',
      },
      11328: {
        environ: { HOSTNAME: 'trainer-7f9c', KUBERNETES_SERVICE_HOST: '10.0.0.1', WATTPRINT_TEAM: 'search', WATTPRINT_PROJECT: 'ranker' },
        cgroup: K8S_V2(POD),
        cpuTicks: cpu.b,
        comm: 'memhog',
      },
      11345: { cgroup: SLURM_V2('1234'), cpuTicks: cpu.c, comm: 'gpu_burn (worker)' }, // environ unreadable: cgroup alone
      1: { environ: { PATH: '/sbin' }, cgroup: '0::/init.scope\n', cpuTicks: 9000, comm: 'systemd' },
    },
    cpu.busy,
  );
  return root;
}

describe('attribution from a fixture /proc tree', () => {
  it('splits a GPU between the jobs of the processes on it, by memory, and totals add up', async () => {
    const env = {
      PATH: process.env.PATH,
      FAKE_SMI_CAPTURE: capture('linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt'),
      FAKE_SMI_PHASE: 'load',
    };
    const gpu = new NvidiaSmiSource({ command: FAKE_SMI, intervalMs: 100, appsMs: 60_000, log: silentLogger, env });
    await gpu.start();
    await new Promise((r) => setTimeout(r, 700));
    const intervals = await gpu.poll(Date.now());
    await gpu.stop();
    expect(intervals.length).toBeGreaterThan(0);

    const attributor = new Attributor(
      new ProcessJobs(new ProcReader(procTree({ a: 100, b: 100, c: 100, busy: 5000 }))),
      'memory',
      silentLogger,
    );
    const { drafts, jobs } = await attributor.attribute(intervals);
    const energy = intervals[0].energyJ;
    const mem = { job: 2566 + 15690, pod: 1542 };
    expect(drafts.map((d) => d.jobId)).toEqual(['1234', POD]);
    expect(drafts[0].energyJ).toBeCloseTo((energy * mem.job) / (mem.job + mem.pod), 9);
    expect(drafts[0].energyJ + drafts[1].energyJ).toBe(energy);
    expect(drafts[0].powerW! + drafts[1].powerW!).toBeCloseTo(intervals[0].powerW!, 9);
    expect(jobs).toEqual(
      new Map<string, object>([
        ['1234', { scheduler: 'slurm', schedulerJobId: '1234', user: 'ada', team: 'vision', name: 'resnet' }],
        [POD, { scheduler: 'kubernetes', schedulerJobId: POD, name: 'trainer-7f9c', team: 'search', project: 'ranker' }],
      ]),
    );
  });

  it("splits CPU and DRAM energy by each job's CPU time, the rest to idle", async () => {
    const root = procTree({ a: 1000, b: 500, c: 2000, busy: 100_000 });
    const jobs = new ProcessJobs(new ProcReader(root));
    const attributor = new Attributor(jobs, 'memory', silentLogger);
    const cpu = (t0: number, t1: number, energyJ: number): DeviceInterval => ({
      device: { id: 'cpu0', kind: 'cpu', name: 'package-0', uuid: null, source: 'rapl' },
      t0,
      t1,
      energyJ,
      powerW: energyJ / ((t1 - t0) / 1000),
      utilization: null,
      memoryUsedMiB: null,
      processes: null,
    });
    const first = await attributor.attribute([cpu(0, 1000, 120)]);
    expect(first.drafts.map((d) => [d.jobId, d.energyJ])).toEqual([[null, 120]]); // nothing to compare with yet
    // One second later: job 1234 used 300 + 100 ticks, the pod 100, the machine 1000 busy ticks.
    writeProcTree(
      root,
      {
        11327: { cgroup: SLURM_V2('1234'), cpuTicks: 1300 },
        11328: { cgroup: K8S_V2(POD), cpuTicks: 600 },
        11345: { cgroup: SLURM_V2('1234'), cpuTicks: 2100 },
      },
      101_000,
    );
    const second = await attributor.attribute([cpu(1000, 2000, 100)]);
    expect(second.drafts.map((d) => [d.jobId, d.energyJ])).toEqual([
      ['1234', 40],
      [POD, 10],
      [null, 50],
    ]);
  });

  it('turns jobs seen over time into start and end events', () => {
    let n = 0;
    const tracker = new JobTracker({ agentId: 'node-a', node: 'node-a.cluster', bootId: 'b' }, 3000, () => `e${++n}`);
    const md = { scheduler: 'slurm' as const, user: 'ada' };
    expect(tracker.observe(new Map([['1234', md]]), 1000)).toEqual([
      { eventId: 'e1', agentId: 'node-a', node: 'node-a.cluster', at: 1000, type: 'start', jobId: '1234', metadata: md },
    ]);
    expect(tracker.observe(new Map([['1234', md]]), 2000)).toEqual([]);
    expect(tracker.observe(new Map(), 4000)).toEqual([]); // 2 s unseen: maybe between two processes
    expect(tracker.observe(new Map(), 5000)).toEqual([
      { eventId: 'e2', agentId: 'node-a', node: 'node-a.cluster', at: 2000, type: 'end', jobId: '1234', exitCode: null },
    ]);
  });

  it('stamps events with the times of the job’s samples, as a replay on trace time needs (finding 14)', () => {
    let n = 0;
    const tracker = new JobTracker({ agentId: 'a', node: 'n', bootId: 'b' }, 3000, () => `e${++n}`);
    const trace = Date.UTC(2024, 5, 1, 12, 0, 0, 250); // a trace from long ago, replayed now
    const wall = Date.UTC(2026, 11, 6, 9, 0, 0);
    const samples = [
      { jobId: 'j', t0: trace + 1_500, t1: trace + 2_700 },
      { jobId: 'j', t0: trace + 900, t1: trace + 2_100 },
      { jobId: null, t0: trace, t1: trace + 5_000 },
    ];
    expect(seenSpans(samples)).toEqual(new Map([['j', { t0: trace + 900, t1: trace + 2_700 }]]));
    expect(tracker.observe(new Map([['j', {}]]), wall, seenSpans(samples))).toMatchObject([{ type: 'start', at: trace + 900 }]);
    expect(tracker.observe(new Map([['j', {}]]), wall + 1000, new Map([['j', { t0: trace + 2_700, t1: trace + 12_700 }]]))).toEqual([]);
    // ended on the wall clock (3 s unseen), at the end of its last sample on trace time; never before its start
    const [end] = tracker.observe(new Map(), wall + 4000);
    expect(end).toMatchObject({ type: 'end', at: trace + 12_700 });
  });
});
