import path from 'node:path';
import fc from 'fast-check';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { startBot, type RunningBot } from '../../bot';
import { InsecureBindError } from '../../bot/server';
import { importOrders } from '../../data/import/importOrders';
import { openStore } from '../../data/store';
import { tempDir, writeCsv } from '../support/files';
import { startChannelService } from '../support/standIns';

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

describe('bot server over real HTTP with the Bot Framework activity protocol', () => {
  const tmp = tempDir();
  const log = createLogger('silent');
  let channel: Awaited<ReturnType<typeof startChannelService>>;
  let bot: RunningBot;

  beforeAll(async () => {
    const dbFile = path.join(tmp.dir, 'retain.db');
    const store = openStore(dbFile);
    await importOrders(
      store,
      writeCsv(tmp.dir, 'orders.csv', [
        'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
        '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,12/1/2010 8:26,2.55,17850,United Kingdom',
        '536366,22633,HAND WARMER UNION JACK,6,12/1/2010 8:28,1.85,17851,United Kingdom',
      ]),
    );
    store.marketers.add('channel_user', 'webchat:marketer-1', 'test marketer', 'test');
    store.close();
    channel = await startChannelService();
    bot = await startBot({ config: loadConfig({}), dbFile, port: 0, host: '127.0.0.1', log });
  });
  afterAll(async () => {
    await bot?.stop();
    await channel?.close();
    tmp.cleanup();
  });

  const activity = (text: string) => ({
    type: 'message',
    id: 'act-1',
    channelId: 'webchat',
    serviceUrl: channel.url,
    conversation: { id: 'conv-1' },
    from: { id: 'user-1', name: 'Mia' },
    recipient: { id: 'retain-bot' },
    text,
  });

  it('answers a message by posting a reply to the conversation at the channel service', async () => {
    const res = await post(bot.url, JSON.stringify(activity('hello there')));
    expect(res.status).toBe(200);
    expect(channel.replies).toHaveLength(1);
    const reply = channel.replies[0];
    expect(reply.path).toBe('/v3/conversations/conv-1/activities/act-1');
    expect(reply.body).toMatchObject({ type: 'message', replyToId: 'act-1', conversation: { id: 'conv-1' } });
    expect(reply.body.text).toMatch(/Hello Mia! How can I help\?/);
  });

  it.each([
    ['not JSON', '{"type": "message",', /./],
    ['a JSON array', '[]', /JSON object/],
    [
      'no conversation',
      JSON.stringify({ type: 'message', channelId: 'webchat', serviceUrl: 'http://x', from: { id: 'u' } }),
      /conversation/,
    ],
    [
      'a bad serviceUrl',
      JSON.stringify({
        ...{ type: 'message', channelId: 'w', serviceUrl: 'not a url' },
        conversation: { id: 'c' },
        from: { id: 'u' },
      }),
      /serviceUrl/,
    ],
  ])('answers 400 to %s and keeps serving', async (_name, body, message) => {
    const before = channel.replies.length;
    const res = await post(bot.url, body);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(message);
    expect(channel.replies.length).toBe(before);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  it('knows who is talking (marketer rules) and saves where to reach them again', async () => {
    const before = channel.replies.length;
    const asMarketer = { ...activity('segments?'), id: 'act-m', from: { id: 'marketer-1', name: 'Mo' } };
    expect((await post(bot.url, JSON.stringify(asMarketer))).status).toBe(200);
    // Two customers are too few to train segments on: the marketer is told so, not refused.
    expect(JSON.stringify(channel.replies[before].body)).toMatch(/no analytics yet|Customer segments/);
    const asCustomer = { ...activity('segments?'), id: 'act-c' };
    const beforeCustomer = channel.replies.length;
    expect((await post(bot.url, JSON.stringify(asCustomer))).status).toBe(200);
    expect(channel.replies[beforeCustomer].body.text).toMatch(/only the shop's team/);

    const identities = bot.store.identities;
    const customer = identities.byAccount('webchat', 'user-1');
    expect(customer).toMatchObject({ role: 'customer', displayName: 'Mia' });
    const [reference] = identities.references(customer!.id);
    expect(reference).toMatchObject({
      conversationId: 'conv-1',
      serviceUrl: channel.url,
      channelId: 'webchat',
    });
    expect(reference.reference).toMatchObject({ conversation: { id: 'conv-1' }, user: { id: 'user-1' } });
    expect(identities.byAccount('webchat', 'marketer-1')?.role).toBe('marketer');
  });

  it('exposes Prometheus metrics of what it received and how it ended', async () => {
    const res = await fetch(`${bot.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/retain_activities_total\{channel="webchat",type="message",outcome="ok"\} 3\b/);
    expect(text).toMatch(/retain_activities_total\{channel="webchat",type="message",outcome="invalid"\} 1\b/);
    expect(text).toMatch(/retain_activity_duration_seconds_count\{channel="webchat"\} 4\b/);
    expect(text).toMatch(/retain_process_cpu_seconds_total/);
  });

  it('refuses messages longer than the cap with a clear 400', async () => {
    const res = await post(
      bot.url,
      JSON.stringify({ ...activity('x'.repeat(6000)), conversation: { id: 'long' } }),
    );
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/longer than 5000 characters/);
  });

  it('limits a flood from one conversation with 429 + Retry-After, without affecting others', async () => {
    const flood = await Promise.all(
      Array.from({ length: 30 }, () =>
        post(bot.url, JSON.stringify({ ...activity('spam'), conversation: { id: 'flood' } })),
      ),
    );
    const statuses = flood.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(20);
    const limited = flood.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0].headers.get('retry-after'))).toBeGreaterThan(0);
    const other = await post(bot.url, JSON.stringify({ ...activity('hello'), conversation: { id: 'calm' } }));
    expect(other.status).toBe(200);
  });

  it('never answers 5xx to random or malformed activities, and keeps answering (fuzz)', async () => {
    const account = fc.oneof(fc.record({ id: fc.string() }), fc.anything());
    const activityLike = fc.record(
      {
        type: fc.oneof(
          fc.constantFrom('message', 'conversationUpdate', 'typing', 'invoke', 'event', 'bogus'),
          fc.anything(),
        ),
        id: fc.string(),
        channelId: fc.oneof(fc.constantFrom('webchat', 'msteams', 'slack'), fc.anything()),
        serviceUrl: fc.oneof(fc.constant(channel.url), fc.webUrl(), fc.anything()),
        conversation: account,
        from: account,
        recipient: account,
        text: fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.anything()),
        membersAdded: fc.anything(),
        value: fc.anything(),
      },
      { requiredKeys: [] },
    );
    // Well-formed envelopes with random content reach the bot itself, not only the validation.
    const wellFormed = fc.record({
      type: fc.constantFrom(
        'message',
        'conversationUpdate',
        'typing',
        'invoke',
        'event',
        'messageReaction',
        'bogus',
      ),
      name: fc.option(fc.string()),
      id: fc.string(),
      channelId: fc.constantFrom('webchat', 'msteams', 'slack', 'emulator'),
      serviceUrl: fc.constant(channel.url),
      conversation: fc.record({ id: fc.string({ minLength: 1 }) }),
      from: fc.record({ id: fc.string({ minLength: 1 }) }),
      recipient: fc.record({ id: fc.string({ minLength: 1 }) }),
      text: fc.option(fc.string({ unit: 'grapheme', maxLength: 300 })),
      membersAdded: fc.option(fc.array(fc.record({ id: fc.string() }), { maxLength: 3 })),
      value: fc.anything(),
    });
    const body = fc.oneof(
      wellFormed.map((a) => JSON.stringify(a)),
      activityLike.map((a) => JSON.stringify(a)),
      fc.json(),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await post(bot.url, text);
        await res.arrayBuffer();
        return res.status < 500;
      }),
      { numRuns: 200, seed: 20261123 },
    );
    const after = await post(
      bot.url,
      JSON.stringify({ ...activity('still there?'), conversation: { id: 'after-fuzz' } }),
    );
    expect(after.status).toBe(200);
  });

  it('refuses to listen beyond loopback without credentials', async () => {
    await expect(
      startBot({
        config: loadConfig({}),
        dbFile: path.join(tmp.dir, 'other.db'),
        port: 0,
        host: '0.0.0.0',
        log,
      }),
    ).rejects.toThrow(InsecureBindError);
  });

  it('with credentials configured, refuses unsigned requests', async () => {
    const secured = await startBot({
      config: loadConfig({
        MicrosoftAppId: '00000000-0000-0000-0000-000000000001',
        MicrosoftAppPassword: 'x',
      }),
      dbFile: path.join(tmp.dir, 'secured.db'),
      port: 0,
      host: '127.0.0.1',
      log,
    });
    try {
      const res = await post(secured.url, JSON.stringify(activity('hi')));
      expect(res.status).toBe(401);
      const forged = await post(secured.url, JSON.stringify(activity('hi')), {
        authorization: 'Bearer not-a-token',
      });
      expect(forged.status).toBe(401);
    } finally {
      await secured.stop();
    }
  });
});
