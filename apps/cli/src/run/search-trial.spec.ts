import { searchEnvironment, searchProblems } from './search-trial';

describe('search trials of wattprint run', () => {
  it('accepts a search id and trial from the flags or the scheduler’s environment', () => {
    expect(searchProblems('sweep-7', '3', {})).toEqual([]);
    expect(searchProblems(undefined, undefined, { WATTPRINT_SEARCH_ID: 'sweep-7', WATTPRINT_SEARCH_TRIAL: '12' })).toEqual([]);
    expect(searchProblems(undefined, undefined, {})).toEqual([]);
  });

  it('names each bad value and what was expected', () => {
    expect(searchProblems('bad id', 'x', {})).toEqual([
      '--search: got "bad id"; expected 1 to 128 letters, digits and . _ : @ - (starting with a letter or digit)',
      '--trial: got "x"; expected a whole number from 0 to 999999999',
    ]);
    expect(searchProblems('a\u0000b', '-1', {})).toHaveLength(2);
    expect(searchProblems(undefined, '1e3', { WATTPRINT_SEARCH_ID: 's' })).toEqual([
      '--trial: got "1e3"; expected a whole number from 0 to 999999999',
    ]);
    expect(searchProblems(undefined, undefined, { WATTPRINT_SEARCH_ID: 'x'.repeat(129) })[0]).toMatch(/^WATTPRINT_SEARCH_ID: /);
    expect(searchProblems(undefined, '2', {})).toEqual([
      '--trial: given without a search; expected --search or WATTPRINT_SEARCH_ID as well',
    ]);
  });

  it('sets the variables the agent reads, keeping inherited ones the flags do not replace', () => {
    expect(searchEnvironment({ PATH: '/bin', WATTPRINT_SEARCH_TRIAL: '9' }, 'sweep-7', undefined)).toEqual({
      PATH: '/bin',
      WATTPRINT_SEARCH_ID: 'sweep-7',
      WATTPRINT_SEARCH_TRIAL: '9',
    });
    expect(searchEnvironment({}, 's', '007')).toEqual({ WATTPRINT_SEARCH_ID: 's', WATTPRINT_SEARCH_TRIAL: '7' });
  });
});
