import { numberArrayLiteral, textArrayLiteral } from './pg-array-literal';

// node-pg's own array serialisation: what these literals replace and must agree with
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): string };

const AWKWARD = ['', ' ', 'gpu0', 'job-1', 'NULL', 'null', 'a,b', '{x}', 'say "hi"', 'back\\slash', '\\"', 'tab\tnl\n', 'é😀', "it's"];

describe('PostgreSQL array literals', () => {
  it('write text exactly as node-pg does, awkward strings included', () => {
    expect(textArrayLiteral(AWKWARD, (s) => s)).toBe(prepareValue(AWKWARD));
    expect(textArrayLiteral([{ id: 'a' }, { id: 'b"' }], (r) => r.id)).toBe(prepareValue(['a', 'b"']));
  });

  it('write numbers as node-pg does, less its quotes, and null as NULL', () => {
    const numbers = [0, -0, 1, 250.5, 0.1 + 0.2, 1_764_000_000_000, 5e-324, 1e21, -3.75, null];
    expect(numberArrayLiteral(numbers, (n) => n)).toBe(prepareValue(numbers).replace(/"/g, ''));
    expect(numberArrayLiteral(numbers, (n) => n)).toBe('{0,0,1,250.5,0.30000000000000004,1764000000000,5e-324,1e+21,-3.75,NULL}');
  });

  it('write an empty array as {}', () => {
    expect(textArrayLiteral([], String)).toBe('{}');
    expect(numberArrayLiteral([], Number)).toBe('{}');
  });
});
