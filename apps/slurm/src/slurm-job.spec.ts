import { JOB_FIELD_MAX, JobMetadata } from '@wattprint/protocol';
import { capturedEnv, random } from '../test/support';
import { EVENT_ID, FIELD_MAX, LABEL_KEY_MAX, LABEL_VALUE_MAX } from './job-event';
import {
  endEvent,
  eventIdOf,
  exitStatusOf,
  finalStateFromEpilog,
  jobFromEnv,
  MAX_NODES_BYTES,
  metadataEvent,
  metadataOf,
  publishesFor,
  startEvent,
  type SlurmJob,
} from './slurm-job';

const job = (env: Record<string, string>, cluster: string | null = null): SlurmJob => {
  const j = jobFromEnv(env, cluster);
  if ('problem' in j) throw new Error(j.problem);
  return j;
};

describe('a job from the environment slurmd gives its hooks', () => {
  it("reads the Prolog's: user, account, partition, GPUs, node list; no name nor array ids there", () => {
    expect(job(capturedEnv('prolog.1.env'))).toEqual({
      jobId: '1',
      restarts: 0,
      cluster: 'itest',
      thisNode: 'vm',
      nodelist: 'vm',
      nodes: ['vm'],
      user: 'root',
      account: 'teama',
      partition: 'debug',
      gpus: '0,1',
      name: null,
      arrayJobId: null,
      arrayTaskId: null,
    });
    expect(job(capturedEnv('prolog.6.env'))).toMatchObject({ jobId: '6', account: null, arrayJobId: null, gpus: null });
  });

  it("reads a slurmctld hook's too: the name and array ids, an account of (null) as none", () => {
    expect(job(capturedEnv('prolog_ctld.6.job.env'))).toMatchObject({
      jobId: '6',
      thisNode: null,
      nodes: ['vm'],
      name: 'wrap',
      account: null,
      arrayJobId: '2',
      arrayTaskId: '1',
    });
  });

  it('says why there is no job outside a hook', () => {
    expect(jobFromEnv({}, null)).toEqual({
      problem: 'SLURM_JOB_ID=null: expected a Slurm job id (digits); is this running as a Slurm Prolog or Epilog?',
    });
    expect(jobFromEnv({ SLURM_JOB_ID: '12; rm -rf /' }, null)).toHaveProperty('problem');
  });

  it('publishes from the first node of the job only, or wherever the node list cannot be read', () => {
    const base = capturedEnv('prolog.1.env');
    expect(publishesFor(job({ ...base, SLURMD_NODENAME: 'gpu01', SLURM_NODELIST: 'gpu[01-04]' }))).toBe(true);
    expect(publishesFor(job({ ...base, SLURMD_NODENAME: 'gpu02', SLURM_NODELIST: 'gpu[01-04]' }))).toBe(false);
    expect(publishesFor(job({ ...base, SLURMD_NODENAME: 'gpu02', SLURM_NODELIST: 'gpu[04-01]' }))).toBe(true);
    expect(publishesFor(job(capturedEnv('prolog_ctld.6.job.env')))).toBe(true);
  });
});

describe('the events', () => {
  it('start: every Slurm fact under slurm.* labels, the nodes expanded, the team left to the mapping', () => {
    const j = job({ ...capturedEnv('prolog.1.env'), SLURM_NODELIST: 'vm,gpu[1-2]' });
    expect(startEvent(j, 1_796_539_524_780)).toEqual({
      eventId: 'slurm:itest:1:0:start',
      type: 'start',
      jobId: '1',
      at: 1_796_539_524_780,
      metadata: {
        scheduler: 'slurm',
        schedulerJobId: '1',
        user: 'root',
        cluster: 'itest',
        labels: { 'slurm.partition': 'debug', 'slurm.account': 'teama', 'slurm.gpus': '0,1', 'slurm.nodelist': 'vm,gpu[1-2]' },
      },
      nodes: ['vm', 'gpu1', 'gpu2'],
    });
  });

  it('metadata: the name and array ids that only squeue gives a slurmd hook, and Slurm’s own id of the task', () => {
    const j = { ...job(capturedEnv('prolog.6.env')), name: 'sweep', arrayJobId: '2', arrayTaskId: '1' };
    expect(metadataEvent(j, 5)).toMatchObject({
      eventId: 'slurm:itest:6:0:meta',
      type: 'metadata',
      jobId: '6',
      metadata: { name: 'sweep', schedulerJobId: '2_1', labels: { 'slurm.array_job_id': '2', 'slurm.array_task_id': '1' } },
    });
  });

  it('end: the final state and exit status; none for a job Slurm ended, whatever its epilog saw', () => {
    const failed = job(capturedEnv('epilog.3.env'));
    expect(endEvent(failed, { state: 'FAILED', endAt: 9000 }, 9500, capturedEnv('epilog.3.env').SLURM_JOB_EXIT_CODE2)).toEqual({
      eventId: 'slurm:itest:3:0:end',
      type: 'end',
      jobId: '3',
      at: 9000,
      exitCode: 3,
      exitState: 'FAILED',
    });
    const cancelled = capturedEnv('epilog.4.env');
    expect(cancelled.SLURM_JOB_EXIT_CODE2).toBe('0:0');
    expect(endEvent(job(cancelled), { state: 'CANCELLED', endAt: null }, 9500, cancelled.SLURM_JOB_EXIT_CODE2)).toMatchObject({
      at: 9500,
      exitCode: null,
      exitState: 'CANCELLED',
    });
    expect(endEvent(failed, { state: 'weird state', endAt: 1 }, 2, '0:0')).not.toHaveProperty('exitState');
  });

  it('exit status as a shell gives it: the status, or 128 + the signal', () => {
    expect(exitStatusOf('0:0')).toBe(0);
    expect(exitStatusOf('3:0')).toBe(3);
    expect(exitStatusOf('0:15')).toBe(143);
    expect(exitStatusOf('0:9')).toBe(137);
    expect(exitStatusOf(null)).toBeNull();
    expect(exitStatusOf('768')).toBeNull();
    expect(finalStateFromEpilog('0:0')).toEqual({ state: 'COMPLETED', endAt: null });
    expect(finalStateFromEpilog('1:0')).toEqual({ state: 'FAILED', endAt: null });
  });

  it('ids: the same for every retry of a hook, apart for each run of a requeued job', () => {
    const j = job(capturedEnv('prolog.1.env'));
    expect(eventIdOf(j, 'start')).toBe(eventIdOf(job(capturedEnv('prolog.1.env')), 'start'));
    expect(eventIdOf({ ...j, restarts: 1 }, 'start')).toBe('slurm:itest:1:1:start');
    expect(eventIdOf({ ...j, cluster: 'a cluster/ü'.repeat(20) }, 'end')).toMatch(EVENT_ID);
  });

  it('leaves out an expanded node list too large for a request, keeping the compressed one', () => {
    const j = job({
      ...capturedEnv('prolog.1.env'),
      SLURM_NODELIST: 'a-rather-long-node-name-[00001-40000]',
      SLURMD_NODENAME: 'a-rather-long-node-name-00001',
    });
    const event = startEvent(j, 1);
    expect(JSON.stringify(j.nodes).length).toBeGreaterThan(MAX_NODES_BYTES);
    expect(event.nodes).toBeUndefined();
    expect(event.metadata?.labels?.['slurm.nodelist']).toBe('a-rather-long-node-name-[00001-40000]');
  });
});

describe('what the events carry, whatever the environment holds', () => {
  it("agrees with libs/protocol's limits", () => {
    const { forecastId: _unused, ...shared } = JOB_FIELD_MAX;
    expect(FIELD_MAX).toMatchObject(shared);
    expect(LABEL_KEY_MAX).toBe(128);
    expect(LABEL_VALUE_MAX).toBe(1024);
  });

  it('always passes the JobMetadata schema: control characters, huge values, lone surrogates (property, 500 cases)', () => {
    const r = random(13);
    const alphabet = ['a', 'Z', '0', ' ', '|', '=', '\t', '\n', '\u0000', '\u007f', '\u0085', 'é', '😀', '\ud800', '\udc00', '-', '['];
    const text = () =>
      Array.from({ length: r.pick([0, 1, 5, 127, 128, 129, 255, 256, 1024, 1025, 3000]) }, () => r.pick(alphabet)).join('');
    for (let i = 0; i < 500; i++) {
      const env: Record<string, string> = { SLURM_JOB_ID: String(r.int(1, 2 ** 31)), SLURMD_NODENAME: 'vm', SLURM_NODELIST: 'vm' };
      for (const name of [
        'SLURM_JOB_USER',
        'SLURM_JOB_ACCOUNT',
        'SLURM_JOB_PARTITION',
        'SLURM_JOB_GPUS',
        'SLURM_JOB_NAME',
        'SLURM_CLUSTER_NAME',
        'SLURM_ARRAY_JOB_ID',
        'SLURM_ARRAY_TASK_ID',
      ])
        if (r.next() < 0.7) env[name] = text();
      const j = job(env);
      const parsed = JobMetadata.safeParse(metadataOf(j));
      if (!parsed.success) throw new Error(`case ${i}: ${JSON.stringify(env)} -> ${parsed.error.message}`);
      for (const kind of ['start', 'end', 'meta'] as const) expect(eventIdOf(j, kind)).toMatch(EVENT_ID);
    }
  });
});
