import { isDataError } from './db-errors';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDataError', () => {
  it('names only the database refusing the data itself: SQLSTATE classes 22 and 23, SQLite constraints', () => {
    expect(isDataError(withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021'))).toBe(true);
    expect(isDataError(withCode('value out of range', '22003'))).toBe(true);
    expect(isDataError(withCode('duplicate key', '23505'))).toBe(true);
    expect(isDataError(withCode('NOT NULL constraint failed', 'SQLITE_CONSTRAINT_NOTNULL'))).toBe(true);
    expect(isDataError({ message: 'wrapped', cause: withCode('x', '22P02') })).toBe(true);
  });

  it('calls everything else "not now": refused and dropped connections, shutdowns, locks, unknowns', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
      withCode('database "x" is not currently accepting connections', '55000'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('database is locked', 'SQLITE_BUSY'),
      withCode('no such table', 'SQLITE_ERROR'),
      new Error('Connection terminated unexpectedly'),
      new TypeError('a bug'),
      'a string',
      null,
    ]) {
      expect(isDataError(error)).toBe(false);
    }
  });
});
