/**
 * The conversation, turn by turn, with botbuilder-testing's DialogTestClient: the real main
 * dialog, the real identity and understanding middleware, the shipped NLP models and a real
 * SQLite shop (the demo order history). Every intent is exercised in the role that may use it,
 * and the marketer-only ones are refused to customers.
 */
import type { Activity } from 'botbuilder';
import { ConversationState } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { createLogger } from '../../lib/logger';
import { turnMiddleware } from '../../bot';
import { SqliteStorage } from '../../bot/sqliteStorage';
import { MainDialog } from '../../dialogs/mainDialog';
import { NOT_VERIFIED } from '../../dialogs/customer/verifyDialog';
import { EMAIL_CUSTOMER, REGULAR_CUSTOMER, openTestShop, type TestShop } from '../support/shop';
import { tempDir } from '../support/files';
import { DEFAULT_SUPPRESSION_RULES, suppressionReason } from '../../analytics/campaigns/suppression';

jest.setTimeout(60_000);

interface Chat {
  say(text: string, extra?: Partial<Activity>): Promise<Partial<Activity>[]>;
  userId: string;
}

/** Everything a reply shows a person: its text, suggested actions and card, as one string. */
function shown(replies: Partial<Activity>[]): string {
  return replies
    .map((r) =>
      [
        r.text ?? '',
        ...(r.suggestedActions?.actions ?? []).map((a) => `[${a.title}]`),
        ...(r.attachments ?? []).map((a) => JSON.stringify(a.content)),
      ].join(' '),
    )
    .join('\n');
}

function card(
  replies: Partial<Activity>[],
): { body: unknown[]; actions?: unknown[] } & Record<string, unknown> {
  const attachment = replies
    .flatMap((r) => r.attachments ?? [])
    .find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  if (!attachment) throw new Error(`no Adaptive Card in: ${shown(replies)}`);
  return attachment.content;
}

const cardTitle = (replies: Partial<Activity>[]) => (card(replies).body[0] as { text: string }).text;

describe('dialogs: marketers and customers, every intent', () => {
  const tmp = tempDir();
  let shop: TestShop;
  let dialog: MainDialog;
  let chats = 0;

  beforeAll(async () => {
    shop = await openTestShop(tmp.dir);
    dialog = new MainDialog(shop.app, (text) => shop.app.nlu.understandSentiment(text));
    shop.store.marketers.add('channel_user', 'msteams:marketer-1', 'test', 'test');
  }, 120_000);
  afterAll(() => {
    shop.store.close();
    tmp.cleanup();
  });

  function chat(userId: string, channelId = 'msteams', name = 'Test User'): Chat {
    const n = ++chats;
    const log = createLogger('silent');
    const client = new DialogTestClient(
      channelId,
      dialog,
      undefined,
      turnMiddleware(shop.app, log),
      new ConversationState(new SqliteStorage(shop.store.botState)),
    );
    return {
      userId,
      async say(text: string, extra: Partial<Activity> = {}) {
        const first = await client.sendActivity({
          ...extra,
          type: 'message',
          text,
          from: { id: userId, name },
          conversation: { id: `conversation-${n}` } as Activity['conversation'],
          channelId,
        });
        const replies: Partial<Activity>[] = first ? [first] : [];
        for (let next = client.getNextReply(); next; next = client.getNextReply()) replies.push(next);
        return replies;
      },
    };
  }

  /** A customer chat already linked to a customer record (as the Web Chat demo identities are). */
  function linkedCustomer(externalId: string, userId: string): Chat {
    const c = chat(userId);
    const identities = shop.store.identities;
    const identity = identities.seen(
      { channelId: 'msteams', channelUserId: userId, role: 'customer' },
      { conversationId: 'setup', serviceUrl: 'https://test.example', reference: {} },
    );
    identities.linkCustomer(identity.id, shop.store.orders.customerByExternal(externalId)!.id);
    return c;
  }

  describe('marketer', () => {
    const marketer = () => chat('marketer-1', 'msteams', 'Mia Marketer');

    test('segment overview: a card with every segment the analytics stored, largest revenue first', async () => {
      const replies = await marketer().say('which segments do we have?');
      expect(cardTitle(replies)).toBe('Customer segments');
      const expected = shop.app.reports.segmentOverview().segments.map((s) => s.name);
      const text = JSON.stringify(card(replies));
      for (const name of expected) expect(text).toContain(JSON.stringify(name).slice(1, -1));
      expect(expected.length).toBeGreaterThan(3);
    });

    test('segments in a country count only that country, by segment, and say what was counted', async () => {
      const replies = await marketer().say('segments in France');
      const french = shop.app.reports.segmentOverview({ country: 'France' }).customers;
      expect(french).toBeGreaterThan(0);
      const c = card(replies);
      expect(cardTitle(replies)).toBe('Customers by segment');
      const table = c.body.find((b) => (b as { type: string }).type === 'Table') as {
        rows: Array<{ cells: Array<{ items: Array<{ text: string }> }> }>;
      };
      const counts = table.rows.slice(1).map((r) => Number(r.cells[1].items[0].text.replace(/,/g, '')));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(french);
      expect(shown(replies)).toMatch(/in France/);
      expect(shown(replies)).toMatch(/Guest checkouts have no customer id and are not counted/);
    });

    test('segment drill-down', async () => {
      const replies = await marketer().say('tell me about the champions segment');
      expect(cardTitle(replies)).toBe('Segment: Champions');
      expect(shown(replies)).toContain('Typical customer');
    });

    test('churn report: the whole base with stages and the likeliest churners', async () => {
      const replies = await marketer().say('show me the churn report');
      expect(cardTitle(replies)).toBe('Churn risk');
      expect(shown(replies)).toContain('Expected to stop buying');
    });

    test('churn question for a country lists only that country, with readable reasons', async () => {
      const replies = await marketer().say('who is likely to churn in germany?');
      // A list of the likeliest churners is a fair answer too.
      expect(['Churn risk', 'Customers worth winning back']).toContain(cardTitle(replies));
      const scores = shop.app.reports.churnOverview({}, 100_000).top;
      const countryOf = new Map(scores.map((s) => [s.externalId, s.country]));
      const shownIds = [...JSON.stringify(card(replies)).matchAll(/"(1\d{4})"/g)].map((m) => m[1]);
      expect(shownIds.length).toBeGreaterThan(0);
      for (const id of shownIds) expect(countryOf.get(id)).toBe('Germany');
    });

    test('at-risk list: ranked by what is at stake, recent buyers left out and said so', async () => {
      const replies = await marketer().say('list the at-risk customers');
      expect(cardTitle(replies)).toBe('Customers worth winning back');
      const list = shop.app.reports.atRisk({});
      expect(list.top.length).toBeGreaterThan(0);
      for (const s of list.all) expect(s.recencyDays).toBeGreaterThanOrEqual(30);
      const stakes = list.all.map((s) => s.churnProbability * Math.max(0, s.monetary));
      if (!list.valueIsClv)
        for (let i = 1; i < stakes.length; i++) expect(stakes[i]).toBeLessThanOrEqual(stakes[i - 1]);
      // The card lists the service's ranking, in that order.
      const text = JSON.stringify(card(replies));
      const positions = list.top.map((s) => text.indexOf(`"${s.externalId}"`));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      if (list.recentBuyersLeftOut)
        expect(shown(replies)).toMatch(/ordered in the last 30 days are left out/);
      expect(shown(replies)).toMatch(/ranked by what is at stake/);
    });

    test('customer 360 lookup and "what is X worth"', async () => {
      const lookup = await marketer().say(`show me customer ${REGULAR_CUSTOMER}`);
      expect(cardTitle(lookup)).toBe(`Customer ${REGULAR_CUSTOMER}`);
      expect(shown(lookup)).toContain('Lifetime value');
      const worth = await marketer().say(`what is customer ${REGULAR_CUSTOMER} worth?`);
      expect(cardTitle(worth)).toBe(`Customer ${REGULAR_CUSTOMER}`);
      const unknown = await marketer().say('look up customer 99999');
      expect(shown(unknown)).toContain("I don't know customer 99999");
    });

    test('CLV report', async () => {
      const replies = await marketer().say('customer lifetime value report');
      expect(cardTitle(replies)).toBe('Customer lifetime value (next 12 months)');
    });

    test('top products and bought-together rules', async () => {
      const replies = await marketer().say('what are our top products?');
      expect(cardTitle(replies)).toBe('Top products');
      const best = shop.app.reports.topProducts({}, 1)[0];
      expect(shown(replies)).toContain(best.sku);
    });

    test('model status lists the trained models with their data date', async () => {
      const replies = await marketer().say('model status');
      expect(cardTitle(replies)).toBe('Models');
      const text = shown(replies);
      for (const model of ['segments', 'churn', 'clv', 'recs']) expect(text).toContain(`"${model}"`);
    });

    test('help and greeting offer marketer starters', async () => {
      expect(shown(await marketer().say('help'))).toContain('[Churn report]');
      expect(shown(await marketer().say('hi there'))).toContain('Hello Mia');
    });

    test('win-back campaign: preview with counts, confirmation, audit log; then its status', async () => {
      const m = marketer();
      const preview = await m.say('start a win-back for at-risk customers with 10% off');
      expect(cardTitle(preview)).toBe('Win-back campaign preview');
      expect(shown(preview)).toMatch(/Launch this campaign to \d+ customers.*, 10% held out as control\?/);
      const before = shop.app.campaigns.list().length;
      const done = await m.say('yes');
      expect(shown(done)).toMatch(/Campaign #\d+ is scheduled/);
      const list = shop.app.campaigns.list();
      expect(list.length).toBe(before + 1);
      const audit = shop.store.audit.recent(20);
      expect(audit.some((a) => a.action === 'campaign_confirmed' && a.actor.startsWith('marketer:'))).toBe(
        true,
      );
      const status = await m.say(`how did campaign ${list[0].id} do?`);
      expect(shown(status)).toContain(`Campaign #${list[0].id}`);
    });

    test('a campaign is not created when the marketer says no, or cancels', async () => {
      const m = marketer();
      const before = shop.app.campaigns.list().length;
      await m.say('launch a winback campaign');
      const audience = await m.say('Hibernating');
      expect(shown(audience)).toContain('What is the offer?');
      await m.say('15% off');
      expect(shown(await m.say('no'))).toContain('no campaign was created');
      await m.say('start a win-back for at-risk customers with 10% off');
      expect(shown(await m.say('cancel'))).toContain('cancelled');
      expect(shop.app.campaigns.list().length).toBe(before);
    });

    test('an unclear message gets a clarifying question with buttons, not a guess', async () => {
      const replies = await marketer().say('what is the weather in paris tomorrow');
      const text = shown(replies);
      expect(text).toMatch(/not sure|can't help/);
      expect(replies.some((r) => (r.suggestedActions?.actions ?? []).length > 0)).toBe(true);
    });

    test('cohort retention: a table of monthly cohorts with a heatmap chart spec', async () => {
      const replies = await marketer().say('cohort retention');
      expect(cardTitle(replies)).toBe('Cohort retention');
      const cohorts = shop.app.reports.cohortRetention().cohorts;
      expect(cohorts[0].cohort).toBe('2010-12');
      expect(shown(replies)).toContain('2010-12');
    });

    test('a Teams channel mention of the bot is not part of the question', async () => {
      const replies = await marketer().say('<at>retain</at> which segments do we have?', {
        recipient: { id: 'bot', name: 'retain' },
        entities: [{ type: 'mention', mentioned: { id: 'bot', name: 'retain' }, text: '<at>retain</at>' }],
      });
      expect(cardTitle(replies)).toBe('Customer segments');
    });

    test('Slack gets Markdown, not a card', async () => {
      shop.store.marketers.add('channel_user', 'slack:U-MARKETER', 'test', 'test');
      const replies = await chat('U-MARKETER', 'slack').say('which segments do we have?');
      expect(replies.flatMap((r) => r.attachments ?? [])).toHaveLength(0);
      expect(shown(replies)).toContain('Customer segments');
    });
  });

  describe('customer', () => {
    test('personal recommendations with reasons; budget filters respected', async () => {
      const c = linkedCustomer(REGULAR_CUSTOMER, 'cust-recs');
      const replies = await c.say('recommend something for me');
      expect(shown(replies)).toContain('Picked for you');
      expect(shown(replies)).toMatch(/1\. \*\*.+\*\*.*: .+/);
      const gifts = await c.say('gift ideas under £5');
      const prices = [...shown(gifts).matchAll(/\(£([\d,.]+)\)/g)].map((m) => Number(m[1].replace(',', '')));
      expect(prices.length).toBeGreaterThan(0);
      for (const p of prices) expect(p).toBeLessThanOrEqual(5);
    });

    test('"show me something different" shows other products than the ones already suggested', async () => {
      const c = linkedCustomer(REGULAR_CUSTOMER, 'cust-different');
      const names = (replies: Partial<Activity>[]) =>
        [...shown(replies).matchAll(/\d\. \*\*(.+?)\*\*/g)].map((m) => m[1]);
      const first = names(await c.say('recommend something for me'));
      expect(first.length).toBeGreaterThan(0);
      const second = await c.say('show me something different');
      expect(shown(second)).toContain('Some different ideas');
      const again = names(second);
      expect(again.length).toBeGreaterThan(0);
      for (const name of again) expect(first).not.toContain(name);
      // Prices show pence, not whole pounds.
      expect(shown(second)).toMatch(/\(£\d+\.\d\d\)/);
      // Customers never see model internals.
      expect(shown(second)).not.toMatch(/lift|score|probability/i);
    });

    test('a return: the policy, then the order number opens a return request for the team', async () => {
      const c = linkedCustomer(EMAIL_CUSTOMER.id, 'cust-return');
      const asked = await c.say('how do I return an item?');
      expect(shown(asked)).toContain('return any unused item within 30 days');
      expect(shown(asked)).toContain('tell me the order number');
      const opened = await c.say(EMAIL_CUSTOMER.orders[1]);
      expect(shown(opened)).toMatch(new RegExp(`return request #\\d+ for order ${EMAIL_CUSTOMER.orders[1]}`));
      const request = shop.app.reports
        .openHandoffs()
        .find((h) => h.reason?.includes(`order ${EMAIL_CUSTOMER.orders[1]}`));
      expect(request).toMatchObject({ customer: EMAIL_CUSTOMER.id, status: 'open' });

      // Someone else's order is not found; a question instead of a number is answered as a question.
      await c.say('I want to return an order');
      const otherInvoice = shop.app.care.recentOrders(
        shop.store.orders.customerByExternal(REGULAR_CUSTOMER)!.id,
        1,
      )[0].invoice;
      expect(shown(await c.say(otherInvoice))).toContain(`can't find an order ${otherInvoice}`);
      await c.say('I want to return an order');
      expect(shown(await c.say('how long does shipping take to germany?'))).toMatch(/working days/);
    });

    test('an unverified visitor gets popular products and the offer to verify', async () => {
      const replies = await chat('anon-recs').say('what would you recommend?');
      expect(shown(replies)).toContain('Popular right now');
      expect(shown(replies)).toContain('[Personal picks]');
    });

    test('similar items to a product named with a typo', async () => {
      const replies = await chat('anon-similar').say('anything similar to the lunch bag red retrospt?');
      expect(shown(replies)).toMatch(/Like LUNCH BAG RED RETROSPOT/i);
    });

    test('order status: verification by order number + email, then own orders only', async () => {
      const c = chat('cust-verify');
      expect(shown(await c.say('where is my order?'))).toContain('What is the number of one of your orders?');
      expect(shown(await c.say(EMAIL_CUSTOMER.orders[0]))).toContain('email address');
      const wrong = await c.say('someone.else@example.com');
      expect(shown(wrong)).toContain(NOT_VERIFIED);

      expect(shown(await c.say('where is my order?'))).toContain('What is the number');
      await c.say(`it's ${EMAIL_CUSTOMER.orders[0]}`);
      const ok = await c.say(EMAIL_CUSTOMER.email.toUpperCase());
      expect(shown(ok)).toContain(`verified as customer ${EMAIL_CUSTOMER.id}`);
      expect(shown(ok)).toContain(EMAIL_CUSTOMER.orders[1]);

      const own = await c.say(`status of order ${EMAIL_CUSTOMER.orders[1]}`);
      expect(shown(own)).toContain('Lunch bag red retrospot');
      // Prices in pounds and pence, as on the receipt.
      expect(shown(own)).toContain('£16.50');
      // Another customer's order is simply not found.
      const otherInvoice = shop.app.care.recentOrders(
        shop.store.orders.customerByExternal(REGULAR_CUSTOMER)!.id,
        1,
      )[0].invoice;
      const other = await c.say(`where is order ${otherInvoice}`);
      expect(shown(other)).toContain(`can't find order ${otherInvoice}`);
    });

    test('three failed verifications in a day stop further tries, even in a new conversation', async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const c = chat('cust-guesser');
        await c.say('where is my order?');
        await c.say(EMAIL_CUSTOMER.orders[0]);
        expect(shown(await c.say(`guess${attempt}@example.com`))).toContain(NOT_VERIFIED);
      }
      const fresh = chat('cust-guesser');
      const refused = await fresh.say('where is my order?');
      expect(shown(refused)).toContain("can't verify you in this chat after several tries");
      expect(shown(refused)).toContain('[Talk to a person]');
    });

    test('an order with no email on file gets the same answer as wrong details', async () => {
      const c = chat('cust-noemail');
      await c.say('where is my order');
      const invoice = shop.app.care.recentOrders(
        shop.store.orders.customerByExternal(REGULAR_CUSTOMER)!.id,
        1,
      )[0].invoice;
      await c.say(invoice);
      const answer = await c.say('me@example.com');
      expect(shown(answer)).toContain(NOT_VERIFIED);
      expect(shown(answer)).not.toMatch(/on file|no email/i);
    });

    test('returns, refunds and delivery answers come from the FAQ file', async () => {
      const c = chat('cust-faq');
      expect(shown(await c.say('how do i send back a broken item?'))).toContain(
        'return any unused item within 30 days',
      );
      expect(shown(await c.say('when will my refund arrive'))).toContain('original payment method');
      expect(shown(await c.say('how long does shipping take to germany?'))).toMatch(/working days/);
    });

    test('feedback is stored with its sentiment; a question-only start asks first', async () => {
      const c = linkedCustomer(REGULAR_CUSTOMER, 'cust-feedback');
      expect(shown(await c.say('I want to give feedback'))).toContain("I'm listening");
      expect(shown(await c.say('The cake stand was lovely and arrived quickly, great quality'))).toContain(
        'Thank you',
      );
      const stored = shop.store.feedback.recent(new Date(0), 1)[0];
      expect(stored.text).toContain('cake stand');
      expect(stored.sentimentLabel).toBe('positive');
    });

    test('a clearly negative message gets an apology, a person on offer, and pauses promotions', async () => {
      const c = linkedCustomer(EMAIL_CUSTOMER.id, 'cust-angry');
      const replies = await c.say(
        'This is the worst shop ever, the parcel arrived broken and nobody answers. Terrible.',
      );
      expect(shown(replies)).toContain("I'm sorry");
      expect(shown(replies)).toContain('[Talk to a person]');
      // The rule the win-back jobs and the sender apply now keeps this customer out.
      const customerId = shop.store.identities.byAccount('msteams', 'cust-angry')!.customerId!;
      const facts = {
        forgottenAt: null,
        consentState: 'unknown',
        hasReference: true,
        optedOut: () => false,
        lastNegativeAt: () => shop.store.feedback.lastNegativeAt(customerId),
        messagesInWindow: () => 0,
      };
      const rules = { ...DEFAULT_SUPPRESSION_RULES, complaintDays: shop.app.care.complaintQuietDays };
      expect(suppressionReason(facts, rules, new Date())).toBe('recent_complaint');
    });

    test('talk to a person opens one hand-off that marketers can list', async () => {
      const c = linkedCustomer(REGULAR_CUSTOMER, 'cust-person');
      expect(shown(await c.say('can I talk to a real person please'))).toMatch(/request #\d+/);
      expect(shown(await c.say('i want to speak to a human'))).toContain('already in the queue');
      const list = await chat('marketer-1', 'msteams').say('handoffs');
      expect(cardTitle(list)).toBe('Customers waiting for a person');
      expect(shown(list)).toContain(REGULAR_CUSTOMER);
    });

    test('stop opts out at once, resubscribe opts back in', async () => {
      const c = linkedCustomer(EMAIL_CUSTOMER.id, 'cust-stop');
      const customerId = shop.store.orders.customerByExternal(EMAIL_CUSTOMER.id)!.id;
      expect(shown(await c.say('STOP'))).toContain('unsubscribed');
      expect(shop.app.care.isOptedOut(customerId)).toBe(true);
      expect(shown(await c.say('please subscribe me again'))).toContain('Welcome back');
      expect(shop.app.care.isOptedOut(customerId)).toBe(false);
    });

    test('marketer reports and other customers are refused to customers', async () => {
      const c = linkedCustomer(EMAIL_CUSTOMER.id, 'cust-nosy');
      for (const ask of [
        'show me the churn report',
        `what is customer ${REGULAR_CUSTOMER} worth?`,
        'which segments do we have?',
      ]) {
        const replies = await c.say(ask);
        expect(replies.flatMap((r) => r.attachments ?? [])).toHaveLength(0);
        expect(shown(replies)).toContain('only the shop');
      }
    });

    test('greeting, thanks and goodbye', async () => {
      const c = chat('cust-smalltalk', 'msteams', 'Sam Shopper');
      expect(shown(await c.say('hello'))).toContain('Hello Sam');
      expect(shown(await c.say('thanks!'))).toContain('welcome');
      expect(shown(await c.say('bye'))).toContain('Bye');
    });

    test('forget me: confirmation, then erasure with a tombstone in the audit log', async () => {
      const c = linkedCustomer(EMAIL_CUSTOMER.id, 'cust-forget');
      const customerId = shop.store.orders.customerByExternal(EMAIL_CUSTOMER.id)!.id;
      expect(shown(await c.say('please delete all my data'))).toContain('Erase now?');
      expect(shown(await c.say('no'))).toContain('nothing was erased');
      await c.say('forget me');
      expect(shown(await c.say('yes'))).toContain('your data is erased');
      expect(shop.store.identities.byAccount('msteams', 'cust-forget')).toBeUndefined();
      const record = shop.store.orders.customer(customerId)!;
      expect(record.email).toBeNull();
      const tombstone = shop.store.audit.recent(5).find((a) => a.action === 'forget_me')!;
      expect(tombstone.subject).toBe(`customer:${customerId}`);
      expect(JSON.stringify(tombstone)).not.toContain(EMAIL_CUSTOMER.email);
    });
  });
});
