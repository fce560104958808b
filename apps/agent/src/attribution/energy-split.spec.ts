import { distribute, splitByCpuTime, splitGpuEnergy } from './energy-split';
import { jobOfProcess, kubernetesPodFromCgroup, parseEnviron, slurmJobFromCgroup } from './job-identity';

const sum = (shares: Array<{ energyJ: number }>) => shares.reduce((s, x) => s + x.energyJ, 0);

describe('splitting a GPU among jobs', () => {
  it('goes by device memory held, and adds up exactly', () => {
    const shares = splitGpuEnergy(
      100,
      [
        { jobId: 'a', usedMemoryMiB: 2566 },
        { jobId: 'b', usedMemoryMiB: 1542 },
        { jobId: 'a', usedMemoryMiB: 15690 },
      ],
      'memory',
    );
    expect(shares.map((s) => s.jobId)).toEqual(['a', 'b']);
    expect(shares[0].energyJ).toBeCloseTo((100 * 18256) / 19798, 12);
    expect(sum(shares)).toBe(100);
  });

  it("splits equally per job when asked, or when a holder's memory is unknown", () => {
    expect(
      splitGpuEnergy(
        90,
        [
          { jobId: 'a', usedMemoryMiB: 10 },
          { jobId: 'b', usedMemoryMiB: 80 },
          { jobId: 'c', usedMemoryMiB: 0 },
        ],
        'equal',
      ).map((s) => s.energyJ),
    ).toEqual([30, 30, 30]);
    expect(
      splitGpuEnergy(
        60,
        [
          { jobId: 'a', usedMemoryMiB: null },
          { jobId: 'b', usedMemoryMiB: 80 },
        ],
        'memory',
      ).map((s) => s.energyJ),
    ).toEqual([30, 30]);
  });

  it('gives a device nobody holds, and the share of processes of no job, to idle', () => {
    expect(splitGpuEnergy(61.2, [], 'memory')).toEqual([{ jobId: null, energyJ: 61.2 }]);
    expect(
      splitGpuEnergy(
        10,
        [
          { jobId: null, usedMemoryMiB: 25 },
          { jobId: 'a', usedMemoryMiB: 75 },
        ],
        'memory',
      ),
    ).toEqual([
      { jobId: null, energyJ: 2.5 },
      { jobId: 'a', energyJ: 7.5 },
    ]);
  });

  it('never loses a rounding remainder', () => {
    const shares = distribute(0.3, [
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
    expect(sum(shares)).toBe(0.3);
  });
});

describe('splitting CPU and DRAM by CPU time', () => {
  it('gives each job its share of busy time, the rest to idle', () => {
    const shares = splitByCpuTime(
      200,
      new Map([
        ['1234', 300],
        ['pod', 100],
      ]),
      800,
    );
    expect(shares).toEqual([
      { jobId: '1234', energyJ: 75 },
      { jobId: 'pod', energyJ: 25 },
      { jobId: null, energyJ: 100 },
    ]);
  });

  it('all idle when no job used the CPU', () => {
    expect(splitByCpuTime(50, new Map([['x', 0]]), 100)).toEqual([{ jobId: null, energyJ: 50 }]);
  });
});

describe('the job of a process', () => {
  it('reads NUL-separated environments', () => {
    expect(parseEnviron('A=1\0B=x=y\0\0')).toEqual({ A: '1', B: 'x=y' });
  });

  it('finds Slurm jobs and Kubernetes pods in cgroup paths of v1 and v2', () => {
    expect(slurmJobFromCgroup('0::/system.slice/slurmstepd.scope/job_1234/step_0/user/task_0\n')).toBe('1234');
    expect(slurmJobFromCgroup('12:memory:/slurm/uid_1000/job_987/step_batch/task_0\n')).toBe('987');
    expect(
      kubernetesPodFromCgroup(
        '0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b2c3d4e_5f6a_4b7c_8d9e_0f1a2b3c4d5e.slice/cri-containerd-ab12.scope',
      ),
    ).toBe('1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e');
    expect(kubernetesPodFromCgroup('11:cpu,cpuacct:/kubepods/besteffort/pod0a1b2c3d-0000-4000-8000-00000000abcd/f00d')).toBe(
      '0a1b2c3d-0000-4000-8000-00000000abcd',
    );
    expect(slurmJobFromCgroup('0::/user.slice/user-1000.slice/session-3.scope')).toBeNull();
  });

  it('prefers WATTPRINT_JOB_ID, then SLURM_JOB_ID, then the cgroup', () => {
    expect(jobOfProcess({ WATTPRINT_JOB_ID: 'w-1', SLURM_JOB_ID: '55', WATTPRINT_TEAM: 'vision' }, null)).toEqual({
      jobId: 'w-1',
      metadata: { scheduler: 'slurm', schedulerJobId: '55', team: 'vision' },
    });
    expect(
      jobOfProcess(
        { SLURM_JOB_ID: '55', SLURM_JOB_USER: 'ada', SLURM_JOB_ACCOUNT: 'nlp', SLURM_JOB_NAME: 'train', SLURM_JOB_PARTITION: 'gpu' },
        null,
      ),
    ).toEqual({
      jobId: '55',
      metadata: { scheduler: 'slurm', schedulerJobId: '55', user: 'ada', team: 'nlp', name: 'train', labels: { 'slurm.partition': 'gpu' } },
    });
    expect(jobOfProcess(null, '0::/system.slice/slurmstepd.scope/job_77/step_0')?.jobId).toBe('77');
  });

  it('labels a trial of a search from WATTPRINT_SEARCH_ID and WATTPRINT_SEARCH_TRIAL, under wattprint run or a scheduler', () => {
    expect(jobOfProcess({ WATTPRINT_JOB_ID: 'w-2', WATTPRINT_SEARCH_ID: 'sweep-7', WATTPRINT_SEARCH_TRIAL: '3' }, null)).toEqual({
      jobId: 'w-2',
      metadata: { scheduler: 'wrapper', labels: { 'wattprint.search': 'sweep-7', 'wattprint.trial': '3' } },
    });
    expect(jobOfProcess({ SLURM_JOB_ID: '56', WATTPRINT_SEARCH_ID: 'sweep-7' }, null)?.metadata.labels).toEqual({
      'wattprint.search': 'sweep-7',
    });
    // a trial number without a search labels nothing
    expect(jobOfProcess({ SLURM_JOB_ID: '57', WATTPRINT_SEARCH_TRIAL: '3' }, null)?.metadata.labels).toBeUndefined();
    expect(jobOfProcess({ USER: 'root' }, '0::/init.scope')).toBeNull();
  });
});
