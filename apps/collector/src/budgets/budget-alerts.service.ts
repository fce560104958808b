import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClockRepository } from '../clock/clock.repository';
import type { CollectorConfig } from '../config/collector-config';
import { COLLECTOR_CONFIG } from '../config/config.module';
import { BudgetMetrics } from '../metrics/budget.metrics';
import { crossedThresholds } from './budget-period';
import { BudgetService, type EvaluatedBudget, statusOf } from './budget.service';
import { alertKey, WebhookOutboxRepository } from './webhook-outbox.repository';
import { retryDelayMs, SIGNATURE_HEADER, signBody } from './webhook-signature';

/** Rows one delivery pass claims; the lease covers them all at the configured timeout. */
const CLAIM_BATCH = 20;

/**
 * Budget alerts, on every API process: evaluates every budget on a schedule (gauges; thresholds
 * crossed → one alert each per budget, period and threshold, with its webhook delivery in the same
 * transaction), and delivers the outbox: claimed with a lease, signed, retried with back-off until
 * the receiver answers 2xx. Several replicas may run it: the alert's primary key and the lease keep
 * each alert and each delivery single.
 */
@Injectable()
export class BudgetAlertsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Budgets');
  private readonly owner = `collector-${randomUUID()}`;
  /** The pending timer of each repeated pass, by name. */
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private evaluating: Promise<unknown> = Promise.resolve();
  private delivering: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(COLLECTOR_CONFIG) private readonly config: CollectorConfig,
    private readonly budgets: BudgetService,
    private readonly outbox: WebhookOutboxRepository,
    private readonly metrics: BudgetMetrics,
    private readonly clock: ClockRepository,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.budgetEveryMs > 0) {
      this.repeat(this.config.budgetEveryMs, () => (this.evaluating = this.evaluate()), 'budget evaluation');
    }
    if (this.config.webhook !== undefined) {
      this.repeat(this.config.webhookPollMs, () => (this.delivering = this.deliverDue()), 'webhook delivery');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([this.evaluating, this.delivering]);
  }

  /** Runs `pass` every `everyMs` after the previous one ends (never two at once), the first soon after start. */
  private repeat(everyMs: number, pass: () => Promise<unknown>, what: string): void {
    const schedule = (delay: number) => {
      if (this.stopped) return;
      const timer = setTimeout(() => {
        pass()
          .catch((error) => this.logger.warn(`${what} failed, retrying next pass: ${(error as Error).message}`))
          .finally(() => schedule(everyMs));
      }, delay);
      timer.unref();
      this.timers.set(what, timer);
    };
    // soon after start, so a restarted collector picks its outbox up at once
    schedule(Math.min(everyMs, 200));
  }

  /** One evaluation of every budget: gauges, then the alerts not yet raised. Returns the alerts this call raised. */
  async evaluate(): Promise<number> {
    const evaluated = await this.budgets.evaluateAll();
    this.metrics.spentRatio.reset();
    this.metrics.projectedRatio.reset();
    for (const e of evaluated) {
      const labels = { budget: e.budget.id, team: e.budget.team };
      this.metrics.spentRatio.set(labels, e.figures.spentRatio);
      this.metrics.projectedRatio.set(labels, e.figures.projectedRatio);
    }
    // one read of what was raised, so a quiet pass writes nothing
    const raised = await this.outbox.raised(evaluated.map((e) => e.budget.id));
    let count = 0;
    for (const e of evaluated) {
      for (const threshold of crossedThresholds(JSON.parse(e.budget.thresholds) as number[], e.figures.spentRatio)) {
        if (raised.has(alertKey(e.budget.id, e.bounds.start, threshold))) continue;
        if (await this.raise(e, threshold)) count++;
      }
    }
    return count;
  }

  private async raise(e: EvaluatedBudget, threshold: number): Promise<boolean> {
    const now = this.clock.now();
    const delivery =
      this.config.webhook === undefined
        ? null
        : {
            event: 'budget.threshold_crossed',
            body: (id: string) =>
              JSON.stringify({
                id,
                event: 'budget.threshold_crossed',
                at: new Date(now).toISOString(),
                threshold,
                budget: { id: e.budget.id, name: e.budget.name, team: e.budget.team, project: e.budget.project, unit: e.budget.unit },
                status: statusOf(e),
              }),
          };
    const fresh = await this.outbox.raise(
      { budgetId: e.budget.id, periodStart: e.bounds.start, threshold, spent: e.figures.spent, raisedAt: now },
      delivery,
    );
    if (fresh) {
      this.metrics.alerts.inc({ threshold: String(threshold) });
      this.logger.warn(
        `budget ${e.budget.id} (${e.budget.name}, team ${e.budget.team}) crossed ${Math.round(threshold * 100)} %: ` +
          `${round(e.figures.spent)} of ${round(e.figures.amount)} ${e.budget.unit} spent`,
      );
    }
    return fresh;
  }

  /** Delivers what is due until nothing is; returns the deliveries that succeeded. */
  async deliverDue(): Promise<number> {
    const webhook = this.config.webhook;
    if (webhook === undefined) return 0;
    let delivered = 0;
    while (!this.stopped) {
      const now = this.clock.now();
      const claimed = await this.outbox.claim(this.owner, now, now + (this.config.webhookTimeoutMs + 1000) * CLAIM_BATCH, CLAIM_BATCH);
      if (claimed.length === 0) break;
      for (const row of claimed) {
        const error = await this.post(webhook, row.id, row.event, row.body);
        if (error === null) {
          await this.outbox.delivered(row.id, this.owner, this.clock.now());
          this.metrics.webhookDeliveries.inc({ result: 'delivered' });
          delivered++;
        } else {
          const wait = retryDelayMs(row.attempts + 1, this.config.webhookRetryMinMs, this.config.webhookRetryMaxMs);
          await this.outbox.failed(row.id, this.owner, this.clock.now() + wait, error);
          this.metrics.webhookDeliveries.inc({ result: 'failed' });
          this.logger.warn(`webhook delivery ${row.id} failed (attempt ${row.attempts + 1}), retrying in ${wait} ms: ${error}`);
        }
      }
    }
    return delivered;
  }

  /** POSTs one signed body; null when the receiver answered 2xx, else why not. */
  private async post(webhook: { url: string; secret: string }, id: string, event: string, body: string): Promise<string | null> {
    try {
      const response = await fetch(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'wattprint-collector',
          [SIGNATURE_HEADER]: signBody(webhook.secret, body),
          'x-wattprint-event': event,
          'x-wattprint-delivery': id,
        },
        body,
        signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
        redirect: 'manual',
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.status >= 200 && response.status < 300 ? null : `the receiver answered ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return cause ?? (error as Error).message;
    }
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
