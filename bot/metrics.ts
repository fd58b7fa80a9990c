/**
 * Prometheus metrics of the bot server (GET /metrics): what an operator watches — how many
 * activities arrive, how they end, and how long a turn takes.
 *
 * Every label value comes from a closed set, so no sender can grow the output: channels and
 * activity types the Bot Framework defines (anything else is `other`), and for requests that
 * were not authenticated neither is believed: they count under channel and type `unknown`. Those
 * series exist from the start, so refused traffic changes numbers, never the size of the page.
 */
import client from 'prom-client';
import { ActivityTypes, Channels } from 'botbuilder';

export type ActivityOutcome = 'ok' | 'invalid' | 'unauthorized' | 'unavailable' | 'limited' | 'error';

const CHANNELS = new Set<string>(Object.values(Channels));
const TYPES = new Set<string>(Object.values(ActivityTypes));
/** Label of requests whose channel and type are not known (not authenticated, or unreadable). */
const UNKNOWN = 'unknown';
const REFUSED_OUTCOMES: ActivityOutcome[] = ['invalid', 'unauthorized', 'unavailable', 'limited'];
const GC_KINDS = ['major', 'minor', 'incremental', 'weakcb'];

export class BotMetrics {
  readonly registry = new client.Registry();
  private readonly activities = new client.Counter({
    name: 'retain_activities_total',
    help: 'Activities received on /api/messages and the web chat, by channel, activity type and outcome',
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
    for (const outcome of REFUSED_OUTCOMES) {
      this.activities.inc({ channel: UNKNOWN, type: UNKNOWN, outcome }, 0);
    }
    this.duration.zero({ channel: UNKNOWN });
    // Likewise the kinds of garbage collection, which otherwise appear as each first happens.
    const gc = this.registry.getSingleMetric('retain_nodejs_gc_duration_seconds');
    if (gc instanceof client.Histogram) for (const kind of GC_KINDS) gc.zero({ kind });
  }

  /**
   * Starts timing one request; call the returned function with how it ended, and the channel and
   * type only once the sender is authenticated (left out, they count as unknown).
   */
  startActivity(): (outcome: ActivityOutcome, channel?: unknown, type?: unknown) => void {
    const started = process.hrtime.bigint();
    return (outcome, channel, type) => {
      const ch = channel === undefined ? UNKNOWN : closedLabel(channel, CHANNELS);
      const ty = type === undefined ? UNKNOWN : closedLabel(type, TYPES);
      this.activities.inc({ channel: ch, type: ty, outcome });
      this.duration.observe({ channel: ch }, Number(process.hrtime.bigint() - started) / 1e9);
    };
  }

  /** Reports what the web chat holds in memory (conversations and bytes) at every scrape. */
  watchWebChat(held: () => { conversations: number; bytes: number }): void {
    new client.Gauge({
      name: 'retain_webchat_conversations',
      help: 'Web chat conversations held in memory',
      registers: [this.registry],
      collect() {
        this.set(held().conversations);
      },
    });
    new client.Gauge({
      name: 'retain_webchat_stored_bytes',
      help: 'What the web chat conversations hold in memory, in bytes of JSON (RETAIN_WEBCHAT_MAX_MEMORY_MB)',
      registers: [this.registry],
      collect() {
        this.set(held().bytes);
      },
    });
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

function closedLabel(value: unknown, known: ReadonlySet<string>): string {
  return typeof value === 'string' && known.has(value) ? value : 'other';
}
