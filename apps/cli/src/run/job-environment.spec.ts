import { jobEnvironment, newJobId, runJobProblems } from './job-environment';

describe('newJobId', () => {
  it('names the node, the UTC second and 32 random bits', () => {
    expect(newJobId('gpu07.cluster.example.org', new Date('2026-12-01T20:31:54.123Z'), () => 0.25)).toBe(
      'run-gpu07-20261201T203154Z-40000000',
    );
  });

  it('keeps an odd hostname to characters a job id allows', () => {
    const id = newJobId('node_1+x', new Date('2026-01-02T03:04:05Z'), () => 0.999999999);
    expect(id).toBe('run-node-1-x-20260102T030405Z-fffffffb');
    expect(runJobProblems({ jobId: id })).toEqual([]);
    expect(newJobId('', new Date(0), () => 0)).toBe('run-host-19700101T000000Z-00000000');
  });
});

describe('runJobProblems', () => {
  it('reports every bad field at once, with its flag, its value and what was expected', () => {
    expect(runJobProblems({ jobId: 'has space', team: '', project: 'p'.repeat(129), user: 'alice' })).toEqual([
      '--job-id: got "has space"; expected letters, digits and . _ : @ - (starting with a letter or digit)',
      '--team: got ""; expected 1 to 128 characters',
      `--project: got "${'p'.repeat(129)}"; expected 1 to 128 characters`,
    ]);
  });

  it('accepts ids a scheduler would write, up to the protocol limit', () => {
    expect(runJobProblems({ jobId: 'slurm-123.4:train@a100_x' })).toEqual([]);
    expect(runJobProblems({ jobId: 'j'.repeat(128) })).toEqual([]);
    expect(runJobProblems({ jobId: 'j'.repeat(129) })).toEqual([`--job-id: got "${'j'.repeat(129)}"; expected 1 to 128 characters`]);
    expect(runJobProblems({ jobId: '-starts-with-dash' })).toEqual([
      '--job-id: got "-starts-with-dash"; expected letters, digits and . _ : @ - (starting with a letter or digit)',
    ]);
  });
});

describe('jobEnvironment', () => {
  it("sets the job's variables over the inherited environment and leaves what was not given", () => {
    const env = jobEnvironment(
      { jobId: 'j-1', team: 'vision', forecastId: 'fc_1' },
      { PATH: '/usr/bin', SLURM_JOB_USER: 'alice', WATTPRINT_TEAM: 'outer', WATTPRINT_PROJECT: 'kept', GONE: undefined },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      SLURM_JOB_USER: 'alice',
      WATTPRINT_JOB_ID: 'j-1',
      WATTPRINT_TEAM: 'vision',
      WATTPRINT_PROJECT: 'kept',
      WATTPRINT_FORECAST_ID: 'fc_1',
    });
  });
});
