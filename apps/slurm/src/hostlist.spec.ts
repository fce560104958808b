import { expandHostlist, HostlistError, MAX_HOSTS } from './hostlist';

describe('Slurm host lists', () => {
  it.each([
    ['vm', ['vm']],
    ['gpu[01-03,7],login1', ['gpu01', 'gpu02', 'gpu03', 'gpu7', 'login1']],
    ['n[009-011]', ['n009', 'n010', 'n011']],
    ['n[8-11]', ['n8', 'n9', 'n10', 'n11']],
    ['n[01-2]', ['n01', 'n02']],
    ['n[1-02]', ['n1', 'n2']],
    ['a[1-2]b[3-4]', ['a1b3', 'a1b4', 'a2b3', 'a2b4']],
    ['n[1-2],n1', ['n1', 'n2', 'n1']],
    ['a,,b c', ['a', 'b', 'c']],
    ['[1-2]', ['1', '2']],
    ['', []],
  ])('%j expands as scontrol show hostnames does', (list, hosts) => {
    expect(expandHostlist(list)).toEqual(hosts);
  });

  it.each(['n[3-1]', 'n[1-2', 'n]1[', 'n[[1]]', 'n[a-b]', 'n[1-3:2]', 'n[]'])('refuses %j, naming it', (list) => {
    expect(() => expandHostlist(list)).toThrow(HostlistError);
    expect(() => expandHostlist(list)).toThrow(JSON.stringify(list));
  });

  it(`refuses a list of more than ${MAX_HOSTS} hosts instead of filling memory`, () => {
    expect(expandHostlist(`n[0-${MAX_HOSTS - 1}]`)).toHaveLength(MAX_HOSTS);
    expect(() => expandHostlist('n[0-99999999999]')).toThrow(`more than ${MAX_HOSTS} hosts`);
    expect(() => expandHostlist('a[0-999]b[0-999]')).toThrow(`more than ${MAX_HOSTS} hosts`);
    expect(() => expandHostlist(`n[0-${MAX_HOSTS - 1}],x`)).toThrow(`more than ${MAX_HOSTS} hosts`);
  });
});
