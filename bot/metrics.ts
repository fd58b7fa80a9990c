/**
 * Prometheus metrics of the bot server (GET /metrics): what an operator watches — how many
 * activities arrive, how they end, and how long a turn takes.
 */
import client from 'prom-client';

export type ActivityOutcome = 'ok' | 'invalid' | 'unauthorized' | 'limited' | 'error';

export class BotMetrics {
  readonly registry = new client.Registry();
  private readonly activities = new client.Counter({
    name: 'retain_activities_total',
    help: 'Activities received on /api/messages, by channel, activity type and outcome',
    labelNames: ['channel', 'type', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly duration = new client.Histogram({
    name: 'retain_activity_duration_seconds',
    help: 'Time from receiving an activity to answering the HTTP request',
    labelNames: ['channel'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly turnErrors = new client.Counter({
    name: 'retain_turn_errors_total',
    help: 'Turns that failed with an unhandled error',
    registers: [this.registry],
  });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'retain_' });
  }

  /** Starts timing one request; call the returned function with how it ended. */
  startActivity(): (outcome: ActivityOutcome, channel?: string, type?: string) => void {
    const started = process.hrtime.bigint();
    return (outcome, channel = 'unknown', type = 'unknown') => {
      // Label values come from the sender: keep them to a bounded, known shape.
      const ch = safeLabel(channel);
      this.activities.inc({ channel: ch, type: safeLabel(type), outcome });
      this.duration.observe({ channel: ch }, Number(process.hrtime.bigint() - started) / 1e9);
    };
  }

  turnError(): void {
    this.turnErrors.inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

function safeLabel(value: string): string {
  return /^[a-zA-Z][\w.-]{0,31}$/.test(value) ? value : 'other';
}
