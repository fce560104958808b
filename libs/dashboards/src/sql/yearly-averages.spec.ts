import { YearlyAveragesError, parseYearlyAverages } from './yearly-averages';

describe('parseYearlyAverages', () => {
  it('reads the table shape of libs/carbon', () => {
    const t = parseYearlyAverages({
      $comment: 'x',
      regions: { WORLD: { gPerKwh: 475, year: 2019, source: 's' }, DE: { gPerKwh: 381, year: 2023, source: 's' } },
    });
    expect([...t]).toEqual([
      ['WORLD', 475],
      ['DE', 381],
    ]);
  });

  it.each([
    [{}, 'regions', 'an object of region code'],
    [{ regions: { DE: { gPerKwh: 381 } } }, 'regions.WORLD', 'a WORLD entry'],
    [{ regions: { WORLD: { gPerKwh: -1 } } }, 'regions.WORLD.gPerKwh', 'a positive number'],
    [{ regions: { WORLD: { gPerKwh: 1 }, "x'); DROP": { gPerKwh: 1 } } }, 'regions key', 'an upper-case region code'],
  ])('names the bad field, its value and what was expected: %j', (input, field, expected) => {
    let error: unknown;
    try {
      parseYearlyAverages(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(YearlyAveragesError);
    expect((error as YearlyAveragesError).field).toBe(field);
    expect((error as Error).message).toContain(expected);
  });
});
