import {
  CsvColumns,
  MISSING_VALUE_TOKENS,
  NvidiaSmiParseError,
  parseAppsOutput,
  parseGpuOutput,
  parseNumberCell,
  powerForEnergy,
  splitRow,
} from './nvidia-smi-csv';

// Rows in the shape of the H100 capture (linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.txt), edited where
// a case needs a token or a process name that no capture holds.
const HEADER = 'index, uuid, name, power.draw [W], power.draw.average [W], utilization.gpu [%], memory.used [MiB], memory.total [MiB]';
const ROW = '0, GPU-00000000-0000-0000-0000-000000000000, NVIDIA H100 80GB HBM3, 631.95 W, 631.95 W, 100 %, 19818 MiB, 81559 MiB';

describe('nvidia-smi --query-gpu rows', () => {
  it('reads numbers with their units, by header name', () => {
    const [row] = parseGpuOutput(`${HEADER}\n${ROW}\n`);
    expect(row).toMatchObject({
      index: 0,
      name: 'NVIDIA H100 80GB HBM3',
      powerDrawW: 631.95,
      powerAverageW: 631.95,
      utilization: 100,
      memoryUsedMiB: 19818,
      memoryTotalMiB: 81559,
    });
  });

  it.each(MISSING_VALUE_TOKENS)('turns %s into null, never 0, and says which field', (token) => {
    const [row] = parseGpuOutput(`${HEADER}\n${ROW.replace('100 %', token).replace('631.95 W, 631.95 W', `${token}, 631.95 W`)}`);
    expect(row.utilization).toBeNull();
    expect(row.powerDrawW).toBeNull();
    expect(row.missing).toEqual({ 'utilization.gpu': token, 'power.draw': token });
  });

  it('integrates power.draw.average where the card has it, else power.draw', () => {
    const [withAverage] = parseGpuOutput(`${HEADER}\n${ROW.replace('631.95 W, 631.95 W', '625.10 W, 631.95 W')}`);
    expect(powerForEnergy(withAverage)).toBe(631.95);
    const [geforce] = parseGpuOutput(`${HEADER}\n${ROW.replace('631.95 W, 631.95 W', '111.50 W, [N/A]')}`);
    expect(powerForEnergy(geforce)).toBe(111.5);
  });

  it('follows a repeated header and reads nounits output', () => {
    const rows = parseGpuOutput(`${HEADER}\n${ROW}\nindex, power.draw, uuid\n1, 70.5, GPU-1\n`);
    expect(rows.map((r) => [r.index, r.powerDrawW, r.uuid])).toEqual([
      [0, 631.95, 'GPU-00000000-0000-0000-0000-000000000000'],
      [1, 70.5, 'GPU-1'],
    ]);
  });

  it('names the field and the value of a cell that is no number', () => {
    expect(() => parseNumberCell('power.draw', 'lots W')).toThrow(
      new NvidiaSmiParseError('power.draw: expected a number with an optional unit, got "lots W"'),
    );
    expect(() => splitRow('1, 2', 3, null)).toThrow(/expected 3 cells, got 2/);
  });
});

describe('nvidia-smi --query-compute-apps rows', () => {
  const header = 'gpu_uuid, pid, process_name, used_gpu_memory [MiB]';
  it('keeps commas and non-ASCII inside process names', () => {
    const apps = parseAppsOutput(
      [
        header,
        'GPU-0, 11327, python train.py --layers 1, 2, 3, 2566 MiB',
        'GPU-0, 11345, /home/zoë/模型/训练.py, 15690 MiB',
        'GPU-0, 11346, ./gpu_burn, [N/A]',
      ].join('\n'),
    );
    expect(apps).toEqual([
      { gpuUuid: 'GPU-0', pid: 11327, processName: 'python train.py --layers 1, 2, 3', usedMemoryMiB: 2566 },
      { gpuUuid: 'GPU-0', pid: 11345, processName: '/home/zoë/模型/训练.py', usedMemoryMiB: 15690 },
      { gpuUuid: 'GPU-0', pid: 11346, processName: './gpu_burn', usedMemoryMiB: null },
    ]);
  });

  it('refuses a row whose pid is not a number, naming it', () => {
    expect(() => parseAppsOutput(`${header}\nGPU-0, abc, x, 1 MiB`)).toThrow('pid: expected a positive integer, got "abc"');
  });

  it('reads an empty list (header only)', () => {
    expect(parseAppsOutput(`${header}\n`)).toEqual([]);
    expect(new CsvColumns(['a']).has('a')).toBe(true);
  });
});
