import { randomUUID } from 'node:crypto';
import { type Batch, type JobEvent, type Sample, type UnsignedBatch, type UnsignedJobEvent, signed } from '@wattprint/protocol';

/** A minute boundary: test timestamps are offsets from it, so minute buckets are easy to compute by hand. */
export const T0 = 1_764_000_000_000;

export interface TestAgent {
  id: string;
  node: string;
  key: string;
  bootId: string;
}

export function testAgent(id: string): TestAgent {
  return { id, node: `${id}.cluster`, key: `key-of-${id}-${randomUUID()}`, bootId: randomUUID() };
}

/**
 * The realistic batch of the benchmark and the tests: `gpus` GPUs sampled at 1 Hz for `seconds`
 * seconds starting at `startMs`, seq numbered from `firstSeq`. GPU i runs job `jobs[i]` (null = idle)
 * and draws `100 + 10 i` W, so each sample holds that many joules.
 */
export function realisticBatch(
  agent: TestAgent,
  opts: { firstSeq: number; startMs: number; gpus?: number; seconds?: number; jobs?: Array<string | null> },
): Batch {
  const gpus = opts.gpus ?? 8;
  const seconds = opts.seconds ?? 5;
  const samples: Sample[] = [];
  for (let s = 0; s < seconds; s++) {
    for (let g = 0; g < gpus; g++) {
      const power = 100 + 10 * g;
      samples.push({
        seq: opts.firstSeq + samples.length,
        t0: opts.startMs + s * 1000,
        t1: opts.startMs + (s + 1) * 1000,
        device: `gpu${g}`,
        kind: 'gpu',
        jobId: opts.jobs?.[g] ?? null,
        energyJ: power,
        powerW: power,
        utilization: opts.jobs?.[g] ? 95 : 0,
        source: 'nvidia-smi',
      });
    }
  }
  return signedBatch(agent, { firstSeq: opts.firstSeq, sentAt: opts.startMs + seconds * 1000, samples });
}

export function signedBatch(agent: TestAgent, body: { firstSeq: number; sentAt: number; samples: Sample[] }, key = agent.key): Batch {
  const unsigned: UnsignedBatch = { version: 1, agentId: agent.id, bootId: agent.bootId, node: agent.node, ...body };
  return signed(unsigned, key);
}

/** An event as a test writes it: the agent fills in agentId and node, and eventId when not given. */
type EventBody = UnsignedJobEvent extends infer E
  ? E extends unknown
    ? Omit<E, 'agentId' | 'node' | 'eventId'> & { eventId?: string }
    : never
  : never;

export function signedEvent(agent: TestAgent, event: EventBody): JobEvent {
  return signed(
    { agentId: agent.id, node: agent.node, eventId: event.eventId ?? randomUUID(), ...event } as UnsignedJobEvent,
    agent.key,
  ) as JobEvent;
}
