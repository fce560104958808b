import { ImportFormatError } from '../common/carbon.errors';
import { IntensityCsvReader, splitCsvLine } from './intensity-csv';
import { MAX_G_PER_KWH } from './intensity-rows';

describe('splitCsvLine', () => {
  it('splits plain and quoted fields', () => {
    expect(splitCsvLine('a,b,,d')).toEqual(['a', 'b', '', 'd']);
    expect(splitCsvLine('"a,1","say ""hi""",c')).toEqual(['a,1', 'say "hi"', 'c']);
  });
});

describe('IntensityCsvReader', () => {
  it('takes columns in any order, a kind column, a byte-order mark and spaces', () => {
    const r = new IntensityCsvReader('actual');
    r.header('\uFEFFg_per_kwh, Region ,end,start,kind');
    expect(r.row('120.5, DE ,2026-11-20T11:00:00+01:00,2026-11-20T10:00:00+01:00,forecast', 0)).toEqual({
      ok: true,
      period: {
        region: 'DE',
        periodStart: Date.parse('2026-11-20T09:00:00Z'),
        periodEnd: Date.parse('2026-11-20T10:00:00Z'),
        gPerKwh: 120.5,
        kind: 'forecast',
      },
    });
    expect(r.row('   ', 1)).toBeNull();
  });

  it('uses the default kind when the row has none, and numbers lines from firstDataLine', () => {
    const r = new IntensityCsvReader('forecast', 500);
    r.header('region,start,end,g_per_kwh');
    const ok = r.row('GB,2026-11-20T10:00Z,2026-11-20T10:30Z,100', 0);
    expect(ok).toMatchObject({ ok: true, period: { kind: 'forecast', periodEnd: Date.parse('2026-11-20T10:30:00Z') } });
    expect(r.row('GB,2026-11-20T10:00:00Z,2026-11-28T10:00:00Z,100', 3)).toEqual({
      ok: false,
      problems: [
        {
          line: 503,
          column: 'end',
          value: '2026-11-28T10:00:00Z',
          expected: 'a period of at most 7 days after start (2026-11-20T10:00:00Z)',
        },
      ],
    });
  });

  it('refuses times without a zone, impossible dates, absurd intensities and bad regions, all at once', () => {
    const r = new IntensityCsvReader('actual');
    r.header('region,start,end,g_per_kwh,kind');
    const res = r.row(`D/E,2026-11-20T10:00:00,2026-02-30T10:00:00Z,${MAX_G_PER_KWH + 1},maybe`, 0);
    expect(res).toMatchObject({ ok: false });
    expect((res as { problems: Array<{ column: string }> }).problems.map((p) => p.column)).toEqual([
      'region',
      'start',
      'end',
      'g_per_kwh',
      'kind',
    ]);
  });

  it('refuses a header with an unknown or a missing column', () => {
    expect(() => new IntensityCsvReader('actual').header('region,start,end,g_per_kwh,colour')).toThrow(ImportFormatError);
    expect(() => new IntensityCsvReader('actual').header('region,start,end')).toThrow(/missing g_per_kwh/);
  });
});
