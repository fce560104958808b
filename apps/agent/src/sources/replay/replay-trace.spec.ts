import { TraceError, parseTrace, traceSegments } from './replay-trace';

describe('trace files', () => {
  const trace = ['t_ms,device,power_w,job_id', '0,gpu0,100,j1', '0,gpu1,50,', '1000,gpu0,300,j1', '1500,gpu1,50', '2000,gpu0,300,'].join(
    '\n',
  );

  it('integrates by the trapezoid between consecutive points of a device; the job is that of the start point', () => {
    expect(traceSegments(parseTrace(trace))).toEqual([
      { device: 'gpu0', t0: 0, t1: 1000, energyJ: 200, jobId: 'j1', powerW0: 100, powerW1: 300 },
      { device: 'gpu1', t0: 0, t1: 1500, energyJ: 75, jobId: null, powerW0: 50, powerW1: 50 },
      { device: 'gpu0', t0: 1000, t1: 2000, energyJ: 300, jobId: 'j1', powerW0: 300, powerW1: 300 },
    ]);
  });

  it('takes a trace without header and without job column', () => {
    expect(traceSegments(parseTrace('0,cpu0,40\n500,cpu0,60\n'))).toEqual([
      { device: 'cpu0', t0: 0, t1: 500, energyJ: 25, jobId: null, powerW0: 40, powerW1: 60 },
    ]);
  });

  it('lists every bad line with its number, the value and what was expected', () => {
    let error: TraceError | null = null;
    try {
      parseTrace('0,gpu0,100\nabc,gpu0,1\n500,gpu0,-3\n400,gpu0,1\n1,2\n', 'bad.csv');
    } catch (e) {
      error = e as TraceError;
    }
    expect(error?.problems).toEqual([
      'line 2: t_ms: expected a non-negative number of milliseconds, got "abc"',
      'line 3: power_w: expected a non-negative number of watts, got "-3"',
      'line 4: t_ms: expected a time after 500 for device gpu0, got 400',
      'line 5: expected t_ms,device,power_w[,job_id], got "1,2"',
    ]);
    expect(error?.message).toMatch(/^trace bad\.csv: 4 bad line\(s\)/);
  });
});
