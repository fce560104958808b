import { OptionsError, USAGE, parseQuickstartOptions } from './quickstart-options';

describe('parseQuickstartOptions', () => {
  it('gives the documented defaults, the data folder under the working directory', () => {
    const o = parseQuickstartOptions([], '/home/me/wattprint');
    expect(o).toEqual({
      speed: 10,
      port: 8080,
      nodes: 4,
      gpus: 8,
      durationMs: 7_200_000,
      seed: 7,
      dataDir: '/home/me/wattprint/.wattprint/quickstart',
      ownRedis: false,
      refreshMs: 3000,
      queuePrefix: expect.stringMatching(/^\{wattprint-quickstart-[0-9a-f]{8}\}$/),
      help: false,
    });
    // Each run its own queues: two quick starts, or a quick start and a real collector, never share one.
    expect(parseQuickstartOptions([]).queuePrefix).not.toBe(parseQuickstartOptions([]).queuePrefix);
  });

  it('reads every option', () => {
    const o = parseQuickstartOptions(
      [
        '--speed',
        '60',
        '--port',
        '9090',
        '--nodes',
        '2',
        '--gpus',
        '4',
        '--duration',
        '1h30m',
        '--seed',
        '3',
        '--data-dir',
        '/tmp/qs',
        '--own-redis',
        '--refresh',
        '0.5',
        '--queue-prefix',
        '{demo}',
      ],
      '/x',
    );
    expect(o).toMatchObject({
      speed: 60,
      port: 9090,
      nodes: 2,
      gpus: 4,
      durationMs: 5_400_000,
      seed: 3,
      dataDir: '/tmp/qs',
      ownRedis: true,
      refreshMs: 500,
      queuePrefix: '{demo}',
    });
  });

  it('reports every bad option at once, naming the flag, the value and what was expected', () => {
    let caught: unknown;
    try {
      parseQuickstartOptions(['--speed', 'fast', '--port', '70000', '--nodes', '2.5', '--duration', '90'], '/x');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OptionsError);
    expect((caught as OptionsError).problems).toEqual([
      '--speed: got "fast"; expected a number from 0.1 to 3600',
      '--port: got "70000"; expected an integer from 1 to 65535',
      '--nodes: got "2.5"; expected an integer from 1 to 64',
      '--duration: got "90"; expected a duration from 1m to 24h such as 30m, 2h or 1h30m',
    ]);
  });

  it('refuses a port fetch will not call, since the quick start talks to its collector with fetch', () => {
    expect(() => parseQuickstartOptions(['--port', '22'], '/x')).toThrow('--port: got "22"; expected a port that fetch may call');
  });

  it('refuses unknown flags with a pointer to --help', () => {
    expect(() => parseQuickstartOptions(['--sped', '3'], '/x')).toThrow(/--sped.*see --help/);
  });
});

describe('--help', () => {
  it('lists every option', () => {
    expect(parseQuickstartOptions(['--help'], '/x').help).toBe(true);
    for (const flag of [
      '--speed',
      '--port',
      '--nodes',
      '--gpus',
      '--duration',
      '--seed',
      '--data-dir',
      '--own-redis',
      '--refresh',
      '--queue-prefix',
    ])
      expect(USAGE).toContain(flag);
  });

  it('refuses a queue prefix the agents and collectors would refuse', () => {
    expect(() => parseQuickstartOptions(['--queue-prefix', 'wattprint:prod'], '/x')).toThrow(
      '--queue-prefix: got "wattprint:prod"; expected a prefix without spaces or ":", e.g. {wattprint}',
    );
  });
});
