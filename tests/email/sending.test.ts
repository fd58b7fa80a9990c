/**
 * Campaign email through a real SMTP server in the test process: the win-back job chooses the
 * channel, the outbox sender renders the shop's templates and hands each message to the relay
 * over a socket, and what arrives is parsed as a mail client would (mailparser).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../../data/store';
import { fitRecs, createAlsBatchScorer } from '../../analytics/recs';
import { runWinbackJob } from '../../jobs/campaignJobs';
import { modelRecommender, type Recommender } from '../../jobs/personalise';
import { OutboxSender, type SenderEvent, type SenderOptions } from '../../jobs/sender';
import { SimulatedClock } from '../../jobs/clock';
import { createEmailChannel, type EmailChannel } from '../../jobs/email/emailChannel';
import { emailMessageId } from '../../jobs/email/messageId';
import { TemplateError } from '../../jobs/email/templates';
import { verifyUnsubscribeToken } from '../../lib/unsubscribeToken';
import { parseQuietHours } from '../../lib/quietHours';
import { campaignReport, previewAudience } from '../../services/campaigns';
import { CustomerCareService } from '../../services/customerCare';
import { tempDir } from '../support/files';
import { connect, customerId, importOrderSpecs } from '../jobs/shop';
import { httpSend, StandInChannel } from '../jobs/standInChannel';
import { emailShop, jobsConfig, mailConfig, NOW, SECRET, type CustomerSpec } from './emailShop';
import { SmtpSink } from './smtpSink';

const MUG = { sku: '22000', description: 'WHITE TEA MUG', price: 2.5 };
// A product name and a customer name that must come out escaped in HTML.
const SAUCER = { sku: '22001', description: '<SCRIPT>ALERT("X")</SCRIPT> SAUCER & SPOON', price: 4.25 };
const HOSTILE_NAME = `Ana <script>alert('x')</script> & "Bo"`;

describe('campaign email through a real SMTP server', () => {
  const tmp = tempDir();
  const sink = new SmtpSink();
  const chat = new StandInChannel();
  const channels: EmailChannel[] = [];
  let store: Store;

  beforeAll(async () => {
    await sink.start();
    await chat.start();
  });
  afterAll(async () => {
    await sink.stop();
    await chat.stop();
    tmp.cleanup();
  });
  beforeEach(() => {
    sink.reset();
    chat.reset();
  });
  afterEach(() => {
    for (const c of channels.splice(0)) c.close();
    store?.close();
  });

  function emailChannel(url = sink.url) {
    const channel = createEmailChannel(mailConfig(url), { maxConnections: 2 });
    channels.push(channel);
    return channel;
  }

  function sender(clock: SimulatedClock, overrides: Partial<SenderOptions> = {}, events: SenderEvent[] = []) {
    return new OutboxSender(store, {
      send: httpSend,
      email: { sender: emailChannel(), rate: { perSecond: 100, burst: 100 } },
      clock,
      random: () => 0.5,
      rate: { perSecond: 100, burst: 100 },
      concurrency: 2,
      maxAttempts: 4,
      backoff: { baseMs: 10_000, maxMs: 600_000 },
      timeoutMs: 5000,
      quietHours: null,
      defaultTimeZone: 'Europe/London',
      rules: { complaintDays: 30, frequencyWindowDays: 7, maxMessagesPerWindow: 1 },
      onEvent: (e) => events.push(e),
      ...overrides,
    });
  }

  const mailTo = (address: string) => sink.arrived.filter((m) => m.envelopeTo.includes(address));

  it('sends a win-back by email with a text and an HTML part, one-click unsubscribe and a Message-ID from its outbox key', async () => {
    // Six customers bought the mug and the saucer together; e1 bought the mug only, so the real
    // recommender suggests the saucer to e1, with its hostile name.
    const fillers: CustomerSpec[] = Array.from({ length: 6 }, (_, i) => ({ id: `f${i}`, product: SAUCER }));
    store = await emailShop(tmp.dir, [
      { id: 'e1', email: 'e1@example.com', name: HOSTILE_NAME, consent: 'yes', product: MUG },
      { id: 'e2', email: 'E2@Example.com', name: 'Bea', consent: 'yes', product: MUG },
      { id: 'c1', consent: '', product: MUG },
      { id: 'n1', email: 'n1@example.com', consent: 'no', product: MUG },
      { id: 'u1', email: 'u1@example.com', product: MUG },
      { id: 'x1', product: MUG },
      ...fillers,
    ]);
    // The fillers bought the mug as well: the mug and the saucer go together.
    await importOrderSpecs(
      store,
      tmp.dir,
      fillers.map((f, i) => ({ order: `m-${i}`, customer: f.id, at: '2025-10-06 10:00', ...MUG })),
    );
    connect(store, 'c1', chat.url, { channelId: 'msteams', at: new Date(NOW.getTime() - 5 * 86_400_000) });

    const model = fitRecs(store.recsData.trainingData());
    const als = await createAlsBatchScorer(model.als);
    const recommender: Recommender = modelRecommender(model, als);
    const report = runWinbackJob(store, { now: NOW, config: jobsConfig(), recommender });
    als.dispose();
    const auto = report.campaigns[0];
    const fate = Object.fromEntries(
      auto.items.map((i) => [i.customer, i.reason ?? `${i.outcome} by ${i.channel}`]),
    );
    expect(fate).toMatchObject({
      e1: 'queued by email',
      e2: 'queued by email',
      c1: 'queued by chat',
      n1: 'no_consent', // said no
      u1: 'no_consent', // never asked: no email without consent recorded
      x1: 'no_contact',
    });
    expect(report.totals.channels).toEqual({ chat: 1, email: 2 });

    const events: SenderEvent[] = [];
    const summary = await sender(new SimulatedClock(NOW), {}, events).drain();
    expect(summary).toMatchObject({ sent: 3, failed: 0, retried: 0 });
    expect(chat.deliveries.map((d) => d.conversationId)).toEqual(['conv-c1']);
    expect(sink.arrived).toHaveLength(2);

    const [mail] = mailTo('e1@example.com');
    const p = mail.parsed;
    // Recipients: exactly the customer, in the envelope and the headers; the shop as sender.
    expect(mail.envelopeTo).toEqual(['e1@example.com']);
    expect(mail.envelopeFrom).toBe('news@shop.example');
    expect(p.to && !Array.isArray(p.to) && p.to.value).toEqual([
      { address: 'e1@example.com', name: HOSTILE_NAME },
    ]);
    expect(p.from?.value).toEqual([{ address: 'news@shop.example', name: 'Shop & Co' }]);
    expect(p.replyTo?.value).toEqual([{ address: 'help@shop.example', name: 'Shop help' }]);
    expect(mailTo('e2@example.com')[0].envelopeTo).toEqual(['e2@example.com']); // stored lower-cased
    expect(p.subject).toBe('10% off your next order at Shop & Co');

    // The Message-ID is the outbox key's, and the outbox remembers it as the acknowledgement.
    const row = store.outbox.list().find((m) => m.customerId === customerId(store, 'e1'))!;
    expect(row).toMatchObject({ channel: 'email', status: 'sent' });
    expect(mail.messageId).toBe(emailMessageId(row.dedupeKey, 'shop.example'));
    expect(mail.messageId).toMatch(
      /^<campaign\.\d+\.customer\.\d+\.period\.2026-03-01\.[0-9a-f]{12}@shop\.example>$/,
    );
    expect(row.activityId).toBe(mail.messageId);

    // RFC 8058 one-click unsubscribe: an https link whose token names this customer.
    const listUnsubscribe = mail.header('list-unsubscribe')!;
    const link = /^<(https:\/\/shop\.example\/unsubscribe\/([^>]+))>$/.exec(listUnsubscribe);
    expect(link).not.toBeNull();
    expect(mail.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const token = verifyUnsubscribeToken(link![2], SECRET, NOW);
    expect(token).toMatchObject({ ok: true, customerId: customerId(store, 'e1') });

    // Both parts, from the same message model as the chat message.
    const text = p.text!;
    expect(text).toContain(`Hi Ana,`);
    expect(text).toContain('It has been a while, and we would love to see you again.');
    expect(text).toContain('Here is 10% off your next order as a welcome back. Valid until 31 March 2026.');
    expect(text).toContain(`<script>alert("x")</script> saucer & spoon, £4.25`); // plain text: as is
    expect(text).toContain(link![1]);
    const html = p.html as string;
    expect(html).toContain('Valid until 31 March 2026.');
    expect(html).toContain(`href="${link![1]}"`);
    // Escaped in HTML: the product name, the customer's name, quotes and ampersands.
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; saucer &amp; spoon');
    expect(html).toContain('£4.25');
    expect(html).toContain('Shop &amp; Co');
    expect(html).toContain('Hi Ana,');
    const recs = row.payload.recommendations as Array<{ reason: string }>;
    expect(recs.length).toBeGreaterThan(0);
    expect(text).toContain(recs[0].reason);

    // Outcomes per channel: the treated members split by the channel that reached them.
    const outcome = campaignReport(store, auto.campaignId)!;
    expect(outcome.treated).toMatchObject({ members: 3, sent: 3 });
    expect(outcome.byChannel.email?.treated).toMatchObject({ members: 2, sent: 2, delivered: 2 });
    expect(outcome.byChannel.chat?.treated).toMatchObject({ members: 1, sent: 1 });
  });

  it('a temporary refusal (4xx) and an unreachable relay are retried with back-off, then the message is sent once', async () => {
    store = await emailShop(tmp.dir, [{ id: 'e3', email: 'e3@example.com', consent: 'yes' }]);
    runWinbackJob(store, { now: NOW, config: jobsConfig() });
    const clock = new SimulatedClock(NOW);
    const id = store.outbox.list()[0].id;

    // First the relay is down (nothing listens on the port).
    const down = sender(clock, {
      email: { sender: emailChannel('smtp://127.0.0.1:9'), rate: { perSecond: 100, burst: 100 } },
    });
    expect(await down.drain()).toMatchObject({ sent: 0, retried: 1 });
    let m = store.outbox.get(id)!;
    expect(m).toMatchObject({ status: 'queued', attempts: 1 });
    expect(m.lastError).toMatch(/ECONNREFUSED|ECONNECTION|connect/i);
    // First retry: 10 s base, half jittered (random 0.5) → 7.5 s.
    expect(Date.parse(m.nextAttemptAt!) - clock.now().getTime()).toBe(7_500);

    // Then the relay answers 451 to the recipient.
    sink.script('e3@example.com', { code: 451, message: '4.7.1 Greylisted, try again later' });
    const s = sender(clock);
    expect((await s.drain()).sent).toBe(0); // not due yet
    clock.advance(7_500);
    expect(await s.drain()).toMatchObject({ sent: 0, retried: 1 });
    m = store.outbox.get(id)!;
    expect(m).toMatchObject({ status: 'queued', attempts: 2 });
    expect(m.lastError).toMatch(/451/);
    expect(Date.parse(m.nextAttemptAt!) - clock.now().getTime()).toBe(15_000);

    clock.advance(15_000);
    expect((await s.drain()).sent).toBe(1);
    expect(sink.recipients).toEqual(['451 e3@example.com', '250 e3@example.com']);
    expect(sink.arrived).toHaveLength(1);
    expect(store.outbox.get(id)).toMatchObject({ status: 'sent', attempts: 3 });
    expect(store.contacts.isSuppressed('e3@example.com')).toBe(false);
  });

  it('a permanent refusal (5xx) marks the address undeliverable and stops every channel for the customer', async () => {
    store = await emailShop(tmp.dir, [
      { id: 'b1', email: 'gone@example.com', consent: 'yes' },
      { id: 'b2', email: 'fine@example.com', consent: 'yes' },
    ]);
    runWinbackJob(store, { now: NOW, config: jobsConfig() });
    sink.script('gone@example.com', { code: 550, message: '5.1.1 No such user' });
    const events: SenderEvent[] = [];
    const summary = await sender(new SimulatedClock(NOW), {}, events).drain();
    expect(summary).toMatchObject({ sent: 1, failed: 1, undeliverable: 1, retried: 0 });
    expect(sink.recipients.filter((r) => r.endsWith('gone@example.com'))).toEqual(['550 gone@example.com']);

    const b1 = customerId(store, 'b1');
    const failed = store.outbox.list().find((m) => m.customerId === b1)!;
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(/^address undeliverable: .*550.*No such user/);
    expect(store.contacts.suppression('gone@example.com')).toMatchObject({ reason: 'bounced' });
    expect(store.contacts.suppression('GONE@example.com ')).toBeDefined(); // the same address
    expect(store.optOuts.isOptedOut(b1, 'msteams')).toBe(true); // chat too
    expect(store.audit.recent(5).map((e) => e.action)).toContain('email.bounced');

    // The customer talks to the bot later and says "resubscribe": chat may reach them again,
    // the address stays undeliverable.
    const care = new CustomerCareService(store, { faq: [], complaintQuietDays: 30, now: () => NOW });
    care.resubscribe(b1);
    const later = new Date(NOW.getTime() + 30 * 86_400_000);
    const dry = runWinbackJob(store, { now: later, config: jobsConfig(), dryRun: true });
    expect(dry.campaigns[0].items.find((i) => i.customer === 'b1')).toMatchObject({
      outcome: 'already_done',
    });
    const preview = previewAudience(store, {}, { now: later, channels: jobsConfig().channels });
    expect(preview.skipped).toMatchObject({ email_undeliverable: 1 });
  });

  it('a permanent refusal of the message itself (5xx to DATA) fails it and keeps the address', async () => {
    store = await emailShop(tmp.dir, [{ id: 'd1', email: 'd1@example.com', consent: 'yes' }]);
    runWinbackJob(store, { now: NOW, config: jobsConfig() });
    sink.scriptData('d1@example.com', { code: 554, message: '5.7.1 Message rejected as spam' });
    const summary = await sender(new SimulatedClock(NOW)).drain();
    expect(summary).toMatchObject({ sent: 0, failed: 1, undeliverable: 0, retried: 0 });
    const m = store.outbox.list()[0];
    expect(m.status).toBe('failed');
    expect(m.lastError).toMatch(/554/);
    expect(store.contacts.isSuppressed('d1@example.com')).toBe(false);
    expect(store.optOuts.isOptedOut(customerId(store, 'd1'))).toBe(false);
  });

  it('"stop" in chat stops email too, including messages already queued', async () => {
    store = await emailShop(tmp.dir, [
      { id: 's1', email: 's1@example.com', consent: 'yes' },
      { id: 's2', email: 's2@example.com', consent: 'yes' },
    ]);
    const care = new CustomerCareService(store, { faq: [], complaintQuietDays: 30, now: () => NOW });
    care.optOut(customerId(store, 's1'));
    runWinbackJob(store, { now: NOW, config: jobsConfig() });
    // s2 is queued, then says stop before the sender gets to it.
    expect(store.outbox.list()).toHaveLength(1);
    care.optOut(customerId(store, 's2'));
    const summary = await sender(new SimulatedClock(NOW)).drain();
    expect(summary.sent).toBe(0);
    expect(sink.arrived).toHaveLength(0);
    expect(store.outbox.list()[0]).toMatchObject({ status: 'skipped', skipReason: 'opted_out' });
    const dry = runWinbackJob(store, { now: NOW, config: jobsConfig(), dryRun: true });
    expect(dry.campaigns[0].items.find((i) => i.customer === 's1')).toMatchObject({ reason: 'opted_out' });
  });

  it('email keeps quiet hours in the customer’s zone and the frequency cap across channels', async () => {
    store = await emailShop(tmp.dir, [
      { id: 'q1', email: 'q1@example.com', consent: 'yes', timeZone: 'Asia/Tokyo' },
      { id: 'q2', email: 'q2@example.com', consent: 'yes' },
    ]);
    // q2 got a chat message two days ago: the frequency cap counts it for email as well.
    const q2 = customerId(store, 'q2');
    const before = new Date(NOW.getTime() - 2 * 86_400_000);
    store.outbox.enqueue(
      {
        dedupeKey: 'earlier-chat',
        campaignId: null,
        customerId: q2,
        conversationReferenceId: null,
        kind: 'manual',
        payload: { text: 'hi' },
      },
      before,
    );
    store.outbox.markSent(store.outbox.claimNext(before)!.id, 'x', before);

    const at = new Date('2026-03-01T13:00:00.000Z'); // 22:00 in Tokyo
    const report = runWinbackJob(store, { now: at, config: jobsConfig() });
    expect(report.campaigns[0].items.find((i) => i.customer === 'q2')).toMatchObject({
      reason: 'frequency_capped',
    });

    const clock = new SimulatedClock(at);
    const s = sender(clock, { quietHours: parseQuietHours('21:00-08:00') });
    expect(await s.drain()).toMatchObject({ sent: 0, held: 1 });
    const held = store.outbox.list().find((m) => m.customerId === customerId(store, 'q1'))!;
    expect(held).toMatchObject({
      status: 'queued',
      skipReason: 'quiet_hours',
      nextAttemptAt: '2026-03-01T23:00:00.000Z',
    });
    clock.set('2026-03-01T23:00:00.000Z');
    expect((await s.drain()).sent).toBe(1);
    expect(mailTo('q1@example.com')).toHaveLength(1);
  });

  it('a broken template stops the channel from being made, naming the file', () => {
    const templates = path.join(tmp.dir, 'templates');
    fs.cpSync(mailConfig('x').templatesDir, templates, { recursive: true });
    fs.writeFileSync(path.join(templates, 'campaign.html.hbs'), '<p>{{#if offer}}never closed</p>');
    expect(() =>
      createEmailChannel(mailConfig(sink.url, { templatesDir: templates }), { maxConnections: 1 }),
    ).toThrow(TemplateError);
    expect(() =>
      createEmailChannel(mailConfig(sink.url, { templatesDir: templates }), { maxConnections: 1 }),
    ).toThrow(/campaign\.html\.hbs is not valid/);
  });
});
