import { z } from 'zod';
import { ConfigError, envBoolean, envEnum, envInt, envPositiveNumber, envText, envUrl, parseEnv, redactUrl } from './env-config';

const Schema = z
  .object({
    PORT: envInt(0, 65535).default(8080),
    MODE: envEnum(['a', 'b']).default('a'),
    URL: envUrl(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
    KEY: envText(4096, 16).optional(),
    ON: envBoolean().default(false),
    SPEED: envPositiveNumber().default(1),
    LOW: envInt(1).default(5),
    HIGH: envInt(1).default(10),
  })
  .superRefine((c, ctx) => {
    if (c.HIGH < c.LOW) ctx.addIssue({ code: 'custom', path: ['HIGH'], message: `at least LOW (${c.LOW})` });
  });

function problems(env: Record<string, string>): string[] {
  try {
    parseEnv(Schema, env, { hidden: ['KEY'], urls: ['URL'] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message.split('\n');
  }
  throw new Error('expected a ConfigError');
}

describe('parseEnv', () => {
  it('gives the defaults for an empty environment, and treats an empty variable as unset', () => {
    expect(parseEnv(Schema, { PORT: '', MODE: '' })).toEqual({
      PORT: 8080,
      MODE: 'a',
      URL: 'redis://127.0.0.1:6379',
      ON: false,
      SPEED: 1,
      LOW: 5,
      HIGH: 10,
    });
  });

  it('reads each kind of value', () => {
    const c = parseEnv(Schema, { PORT: ' 0 ', MODE: 'b', URL: 'rediss://h:1', KEY: 'k'.repeat(16), ON: 'YES', SPEED: '0.5' });
    expect(c).toMatchObject({ PORT: 0, MODE: 'b', URL: 'rediss://h:1', KEY: 'k'.repeat(16), ON: true, SPEED: 0.5 });
  });

  it('names every bad variable at once, with the value given and what was expected', () => {
    expect(problems({ PORT: 'eighty', MODE: 'c', URL: 'http://x', ON: 'maybe', SPEED: '0', LOW: '1e3', HIGH: '12abc' })).toEqual([
      'invalid configuration:',
      '  PORT="eighty": expected an integer from 0 to 65535',
      '  MODE="c": expected one of a, b',
      '  URL="http://x": expected a URL starting with redis:// or rediss://',
      '  ON="maybe": expected true or false',
      '  SPEED="0": expected a number > 0',
      '  LOW="1e3": expected an integer >= 1',
      '  HIGH="12abc": expected an integer >= 1',
    ]);
  });

  it('checks variables against each other once each is valid', () => {
    expect(problems({ LOW: '7', HIGH: '3' })).toEqual(['invalid configuration:', '  HIGH="3": expected at least LOW (7)']);
  });

  it('never prints a secret, and prints URLs without their password', () => {
    const lines = problems({ KEY: 'short-secret', URL: 'http://user:hunter2@example.org' });
    expect(lines).toContain('  KEY=(hidden): expected at least 16 characters');
    expect(lines).toContain('  URL="http://***@example.org": expected a URL starting with redis:// or rediss://');
    expect(lines.join('\n')).not.toMatch(/short-secret|hunter2/);
  });

  it('quotes irregular values as given: NUL, newlines, huge numbers', () => {
    expect(problems({ PORT: '80\u00000', MODE: 'a\nb', LOW: '9'.repeat(40) })).toEqual([
      'invalid configuration:',
      '  PORT="80\\u00000": expected an integer from 0 to 65535',
      '  MODE="a\\nb": expected one of a, b',
      `  LOW="${'9'.repeat(40)}": expected an integer >= 1`,
    ]);
  });
});

describe('redactUrl', () => {
  it.each([
    ['redis://:pw@h:6379/0', 'redis://***@h:6379/0'],
    ['postgres://u:p@db/x?sslmode=require', 'postgres://***@db/x?sslmode=require'],
    ['redis://h:6379', 'redis://h:6379'],
    ['sqlite:/tmp/a@b.db', 'sqlite:/tmp/a@b.db'],
  ])('%s -> %s', (url, shown) => expect(redactUrl(url)).toBe(shown));
});
