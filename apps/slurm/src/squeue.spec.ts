import { isFinalState, parseSqueue } from './squeue';

// Lines as squeue 22.05 prints them with --format=%A|%T|%S|%e|%F|%K|%j and SLURM_TIME_FORMAT=%s.
describe("squeue's answer", () => {
  it('reads a job, its times as epoch ms and a name holding the separator', () => {
    expect(parseSqueue('7|FAILED|1796540367|1796540368|7|N/A|we|ird name JobState=X\n', '7')).toEqual({
      jobId: '7',
      state: 'FAILED',
      startAt: 1796540367000,
      endAt: 1796540368000,
      arrayJobId: null,
      arrayTaskId: null,
      name: 'we|ird name JobState=X',
    });
  });

  it('picks the task asked for among the lines of an array, with its array ids', () => {
    const out = '2|CANCELLED|1796540367|1796540368|2|2|wrap\n3|CANCELLED|1796540367|1796540368|2|1|wrap\n';
    expect(parseSqueue(out, '3')).toMatchObject({ jobId: '3', arrayJobId: '2', arrayTaskId: '1' });
    expect(parseSqueue(out, '2')).toMatchObject({ jobId: '2', arrayJobId: '2', arrayTaskId: '2' });
    expect(parseSqueue(out, '4')).toBeNull();
  });

  it('takes no time Slurm does not have yet, and no line a newline in a name made up', () => {
    expect(parseSqueue('1|PENDING|N/A|N/A|1|N/A|x\n', '1')).toMatchObject({ startAt: null, endAt: null });
    expect(parseSqueue('1|RUNNING|1796540367|0|1|N/A|x\n', '1')).toMatchObject({ endAt: null });
    const spoof = '5|RUNNING|1796540367|N/A|5|N/A|a\n5|COMPLETED|1|2|5|N/A|b\n';
    expect(parseSqueue(spoof, '5')).toMatchObject({ state: 'RUNNING', name: 'a' });
  });

  it('calls a state final only once Slurm is done with the job', () => {
    for (const s of ['COMPLETED', 'FAILED', 'CANCELLED', 'TIMEOUT', 'NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE'])
      expect(isFinalState(s)).toBe(true);
    for (const s of ['PENDING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'CONFIGURING', 'REQUEUED', 'STAGE_OUT', 'SIGNALING'])
      expect(isFinalState(s)).toBe(false);
  });
});
