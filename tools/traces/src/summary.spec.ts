import { compactDevices, formatTable } from './summary';

describe('compactDevices', () => {
  it.each([
    [['gpu0', 'gpu1', 'gpu2', 'gpu3', 'gpu4', 'gpu5', 'gpu6', 'gpu7'], 'gpu0-7'],
    [['gpu4'], 'gpu4'],
    [['gpu6', 'gpu0', 'gpu1', 'gpu3', 'gpu2'], 'gpu0-3+gpu6'],
    [['gpu1', 'gpu1', 'gpu2'], 'gpu1-2'],
    [['cpu0', 'gpu1'], 'cpu0+gpu1'],
  ])('folds %j into %s', (devices, text) => {
    expect(compactDevices(devices)).toBe(text);
  });
});

describe('formatTable', () => {
  it('pads text left and numbers (with their header) right under a rule', () => {
    expect(
      formatTable(
        ['job', 'kWh'],
        [
          ['a', '1.5'],
          ['bbbb', '10.25'],
        ],
      ).split('\n'),
    ).toEqual(['job     kWh', '----  -----', 'a       1.5', 'bbbb  10.25']);
  });
});
