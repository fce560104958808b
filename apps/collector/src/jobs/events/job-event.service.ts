import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { JobEvent } from '@wattprint/protocol';
import { COLLECTOR_CONFIG } from '../../config/config.module';
import type { CollectorConfig } from '../../config/collector-config';
import { timeProblem } from '../../ingest/sample-bounds';
import type { JobEventInput } from './job-event-merge';
import { JobEventRepository, type JobEventResult } from './job-event.repository';
import type { JobEventBody } from './job-event.schemas';
import { ClockRepository } from '../../clock/clock.repository';

/**
 * Job events from both doors: agents' signed messages (through the ingest worker) and schedulers'
 * API calls. Each door has its own idempotency key space, so no agent can spend an event id a
 * scheduler will use.
 */
@Injectable()
export class JobEventService {
  constructor(
    private readonly events: JobEventRepository,
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly clock: ClockRepository,
  ) {}

  /** One line when `at` is outside the collector's time window, else null. */
  timeProblem(path: string, at: number): string | null {
    return timeProblem(path, at, this.config.sampleBounds, this.clock.now());
  }

  /** An agent's verified event, whose node the caller has checked is the agent's own. */
  fromAgent(event: JobEvent): Promise<JobEventResult> {
    const input: JobEventInput = {
      type: event.type,
      jobId: event.jobId,
      at: event.at,
      metadata: event.type === 'end' ? undefined : event.metadata,
      exitCode: event.type === 'end' ? event.exitCode : undefined,
      origin: { kind: 'agent', agentId: event.agentId, node: event.node },
    };
    return this.events.apply(input, `agent:${event.agentId}:${event.eventId}`, this.clock.now());
  }

  /** A scheduler's event; answers whether it was new. */
  async fromScheduler(body: JobEventBody): Promise<{ applied: boolean }> {
    const problem = this.timeProblem('at', body.at);
    if (problem !== null) {
      throw new BadRequestException({ error: 'invalid_request', problems: [{ path: 'at', message: problem.slice('at: '.length) }] });
    }
    const result = await this.events.apply({ ...body, origin: { kind: 'scheduler' } }, `api:${body.eventId}`, this.clock.now());
    return { applied: result === 'applied' };
  }
}
