/**
 * A stand-in for a channel's Bot Framework service URL, over real HTTP: it accepts
 * POST /v3/conversations/{id}/activities[/{replyToId}], can be told to answer 429 (with Retry-After), 5xx, 403
 * or to hang (the message arrived but no answer comes), and de-duplicates on the idempotency id
 * retain puts in channelData, so the tests can check that each message reached the customer once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SendError, type OutboundActivity, type SendFn } from '../../jobs/sender';
import { parseRetryAfter } from '../../jobs/backoff';

export type Behaviour =
  | { status: 429; retryAfter?: string }
  | { status: 500 | 502 | 503 | 403 | 404 }
  | { hang: true }
  | { ok: true; delayMs?: number };

export interface Delivery {
  conversationId: string;
  messageId: string;
  text: string;
}

export class StandInChannel {
  private server: http.Server | undefined;
  private readonly scripts = new Map<string, Behaviour[]>();
  private readonly seen = new Map<string, string>();
  /** Unique messages shown to customers, in arrival order. */
  readonly deliveries: Delivery[] = [];
  /** Every POST, duplicates and failures included. */
  readonly requests: Array<{ conversationId: string; messageId: string; answered: string }> = [];
  url = '';
  defaultDelayMs = 0;
  private counter = 0;
  private readonly hanging = new Set<http.ServerResponse>();

  /** The next answers for a conversation, in order; afterwards it answers 200. */
  script(conversationId: string, ...behaviours: Behaviour[]): void {
    this.scripts.set(conversationId, [...(this.scripts.get(conversationId) ?? []), ...behaviours]);
  }

  /** Forgets everything (between tests). */
  reset(): void {
    this.scripts.clear();
    this.seen.clear();
    this.deliveries.length = 0;
    this.requests.length = 0;
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => {
      // Send to conversation, or reply to an activity (what continueConversation does).
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/[^/]+)?\/?$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        this.requests.push({ conversationId: '?', messageId: '?', answered: `404 ${req.method} ${req.url}` });
        // Not chained: restify, loaded by other tests in the same worker, patches writeHead to return nothing.
        res.writeHead(404);
        res.end();
        return;
      }
      const conversationId = decodeURIComponent(m[1]);
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.answer(conversationId, body, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  private answer(conversationId: string, body: string, res: http.ServerResponse): void {
    const activity = JSON.parse(body) as OutboundActivity;
    const messageId = activity.channelData?.retain?.messageId ?? activity.id;
    const next = this.scripts.get(conversationId)?.shift() ?? { ok: true };
    const log = (answered: string) => this.requests.push({ conversationId, messageId, answered });
    if ('status' in next) {
      log(String(next.status));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (next.status === 429 && next.retryAfter) headers['retry-after'] = next.retryAfter;
      res.writeHead(next.status, headers);
      res.end(JSON.stringify({ error: { code: 'Throttled', message: 'stand-in' } }));
      return;
    }
    // The message reaches the customer (once, whatever retries follow) before the answer.
    let id = this.seen.get(messageId);
    if (!id) {
      id = `standin-${++this.counter}`;
      this.seen.set(messageId, id);
      this.deliveries.push({ conversationId, messageId, text: activity.text });
    }
    if ('hang' in next) {
      log('hang');
      this.hanging.add(res);
      return;
    }
    log('200');
    const reply = () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id }));
    };
    const delay = next.delayMs ?? this.defaultDelayMs;
    if (delay > 0) setTimeout(reply, delay);
    else reply();
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * A send function like the bot's (POST to the reference's service URL), throwing SendError with
 * the status and Retry-After the channel answered.
 */
export const httpSend: SendFn = async (reference, activity) => {
  const serviceUrl = String(reference.serviceUrl).replace(/\/$/, '');
  const conversation = reference.conversation as { id: string };
  const res = await fetch(
    `${serviceUrl}/v3/conversations/${encodeURIComponent(conversation.id)}/activities`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(activity),
    },
  );
  if (!res.ok) {
    throw new SendError(
      `channel answered ${res.status}`,
      res.status,
      parseRetryAfter(res.headers.get('retry-after'), new Date()),
    );
  }
  return (await res.json()) as { id: string };
};
