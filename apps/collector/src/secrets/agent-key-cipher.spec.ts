import { randomBytes } from 'node:crypto';
import { AgentKeyCipher } from './agent-key-cipher';

const KEY = randomBytes(32).toString('hex');

describe('AgentKeyCipher', () => {
  it('seals a key so that it reads back with the secret, and differently each time', () => {
    const cipher = new AgentKeyCipher(randomBytes(32));
    const a = cipher.seal(KEY);
    const b = cipher.seal(KEY);
    expect(a).toMatch(/^enc:v1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(a).not.toContain(KEY);
    expect(a).not.toBe(b);
    expect(cipher.open(a)).toBe(KEY);
    expect(cipher.open(b)).toBe(KEY);
  });

  it('stores in clear without a secret and reads clear keys with one (keys from before it was set)', () => {
    expect(new AgentKeyCipher(undefined).seal(KEY)).toBe(KEY);
    expect(new AgentKeyCipher(randomBytes(32)).open(KEY)).toBe(KEY);
  });

  it('refuses a sealed key without the secret, with another secret, or altered', () => {
    const sealed = new AgentKeyCipher(randomBytes(32)).seal(KEY);
    expect(() => new AgentKeyCipher(undefined).open(sealed)).toThrow(/WATTPRINT_SECRET_KEY is not set/);
    expect(() => new AgentKeyCipher(randomBytes(32)).open(sealed)).toThrow(/does not open/);
    const secret = randomBytes(32);
    const good = new AgentKeyCipher(secret).seal(KEY);
    const altered = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA');
    expect(() => new AgentKeyCipher(secret).open(altered)).toThrow(/does not open/);
  });
});
