import type { Logger } from '@nestjs/common';
import { PeriodicPass } from './periodic-pass';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('PeriodicPass', () => {
  it('runs passes one after another, logs a failure and goes on, and stop waits for the pass in flight', async () => {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) } as unknown as Logger;
    const passes = new PeriodicPass('the test pass', logger);
    let running = 0;
    let overlapped = false;
    let runs = 0;
    let finished = 0;
    passes.start(5, async () => {
      runs++;
      if (running > 0) overlapped = true;
      running++;
      await sleep(20); // longer than the interval: the next pass must wait for this one
      running--;
      finished++;
      if (runs === 2) throw new Error('database away');
    });
    await sleep(120);
    await passes.stop();
    const after = runs;
    await sleep(40);
    expect(overlapped).toBe(false);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(finished).toBe(runs); // stop returned after the pass in flight finished
    expect(runs).toBe(after); // and none started after it
    expect(warnings).toEqual(['the test pass failed, retrying next pass: database away']);
  });
});
