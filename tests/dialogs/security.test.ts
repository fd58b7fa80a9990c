/**
 * Verification limits, questions only their addressee can answer, and marketers' feedback,
 * turn by turn through the real dialogs (DialogTestClient with the real middleware, the shipped
 * NLP models and a real SQLite shop), on a clock the test moves.
 */
import type { Activity } from 'botbuilder';
import { ConversationState } from 'botbuilder';
import { DialogTestClient } from 'botbuilder-testing';
import { createLogger } from '../../lib/logger';
import { setClientAddress } from '../../dialogs/turn';
import { turnMiddleware } from '../../bot';
import { SqliteStorage } from '../../bot/sqliteStorage';
import { MainDialog, QUESTION_HOLD_MS } from '../../dialogs/mainDialog';
import { NOT_VERIFIED } from '../../dialogs/customer/verifyDialog';
import { CustomerCareService } from '../../services/customerCare';
import type { AppServices } from '../../services/app';
import { openTestShop, type TestShop } from '../support/shop';
import { tempDir } from '../support/files';
import { sql } from '../support/sql';

jest.setTimeout(60_000);

const CORA = { id: 'CO30117', email: 'cora@example.org', order: '7330011' };
const MINUTE = 60_000;

interface Person {
  id: string;
  name: string;
}

/** Everything a reply shows a person: its text, suggested actions and card, as one string. */
const shown = (replies: Partial<Activity>[]) =>
  replies
    .map((r) =>
      [
        r.text ?? '',
        ...(r.suggestedActions?.actions ?? []).map((a) => `[${a.title}]`),
        ...(r.attachments ?? []).map((a) => JSON.stringify(a.content)),
      ].join(' '),
    )
    .join('\n');

describe('dialogs: verification limits, shared conversations, marketer feedback', () => {
  const tmp = tempDir();
  let shop: TestShop;
  let dialog: MainDialog;
  let clock = Date.now();
  let conversations = 0;

  beforeAll(async () => {
    shop = await openTestShop(
      tmp.dir,
      {},
      {
        extraLines: [
          `${CORA.order},${CORA.id},85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2.95,2011-05-04T10:00:00Z,United Kingdom,${CORA.email}`,
        ],
      },
    );
    const care = new CustomerCareService(shop.store, {
      faq: [],
      complaintQuietDays: 30,
      now: () => new Date(clock),
    });
    const app: AppServices = { ...shop.app, care };
    dialog = new MainDialog(app, (text) => shop.app.nlu.understandSentiment(text), {}, { now: () => clock });
    for (const marketer of ['mkt-mia', 'mkt-max'])
      shop.store.marketers.add('channel_user', `webchat:${marketer}`, 'test', 'test');
  }, 120_000);
  afterAll(() => {
    shop.store.close();
    tmp.cleanup();
  });

  /** A conversation several people can write in (a group chat). */
  function conversation() {
    const id = `conversation-${++conversations}`;
    const client = new DialogTestClient(
      'webchat',
      dialog,
      undefined,
      [
        ...turnMiddleware(shop.app, createLogger('silent')),
        // What the local web chat endpoint does for the turns it runs: the address it saw.
        {
          onTurn: async (context, next) => {
            const address = (context.activity.channelData as { clientAddress?: string } | undefined)
              ?.clientAddress;
            if (address) setClientAddress(context, address);
            await next();
          },
        },
      ],
      new ConversationState(new SqliteStorage(shop.store.botState)),
    );
    return async (from: Person, text: string, extra: Partial<Activity> = {}): Promise<string> => {
      const first = await client.sendActivity({
        ...extra,
        type: 'message',
        text,
        from,
        conversation: { id } as Activity['conversation'],
        channelId: 'webchat',
      });
      const replies: Partial<Activity>[] = first ? [first] : [];
      for (let next = client.getNextReply(); next; next = client.getNextReply()) replies.push(next);
      return shown(replies);
    };
  }

  let people = 0;
  const person = (name: string): Person => ({ id: `${name.toLowerCase()}-${++people}`, name });
  const fromAddress = (clientAddress: string): Partial<Activity> => ({ channelData: { clientAddress } });

  /** One verification attempt in a new conversation (stops at a refusal to try at all). */
  async function attempt(who: Person, invoice: string, email: string, extra: Partial<Activity> = {}) {
    const say = conversation();
    const asked = await say(who, 'where is my order?', extra);
    if (!asked.includes('number of one of your orders')) return asked;
    expect(await say(who, invoice, extra)).toContain('email address');
    return say(who, email, extra);
  }

  const identityOf = (p: Person) => shop.store.identities.byAccount('webchat', p.id);

  test('failures are limited per client address, across chat users', async () => {
    const address = '203.0.113.7';
    for (let i = 0; i < 10; i++) {
      const answer = await attempt(
        person('Visitor'),
        `60000${10 + i}`,
        `v${i}@example.com`,
        fromAddress(address),
      );
      expect(answer).toContain(NOT_VERIFIED);
    }
    const eleventh = await conversation()(person('Visitor'), 'where is my order?', fromAddress(address));
    expect(eleventh).toContain("I can't verify you in this chat after several tries");
    expect(eleventh).toContain('try again in about 15 minutes');
    expect(eleventh).toContain('[Talk to a person]');
    // Another address is not held.
    const elsewhere = await conversation()(
      person('Visitor'),
      'where is my order?',
      fromAddress('198.51.100.4'),
    );
    expect(elsewhere).toContain('number of one of your orders');
    const locked = shop.store.audit.recent(50).find((a) => a.action === 'verify_locked');
    expect(locked?.details).toMatchObject({ key: 'address', clientAddress: address });
  });

  test('after the free tries each wait doubles: 15 minutes, then 30', async () => {
    const guesser = person('Guesser');
    for (let i = 0; i < 3; i++)
      expect(await attempt(guesser, `61000${10 + i}`, `g${i}@example.com`)).toContain(NOT_VERIFIED);
    const say = conversation();
    expect(await say(guesser, 'where is my order?')).toContain('try again in about 15 minutes');
    clock += 14 * MINUTE;
    expect(await say(guesser, 'where is my order?')).toContain('try again in about 1 minute');
    clock += MINUTE;
    expect(await attempt(guesser, '6100020', 'g9@example.com')).toContain(NOT_VERIFIED);
    expect(await say(guesser, 'where is my order?')).toContain('try again in about 30 minutes');
    clock += 30 * MINUTE;
    expect(await say(guesser, 'where is my order?')).toContain('number of one of your orders');
  });

  test('a record under attack is held for everyone, the shop is told, and its owner gets in later', async () => {
    const cora = shop.store.orders.customerByExternal(CORA.id)!;
    for (let i = 0; i < 3; i++)
      expect(await attempt(person('Attacker'), CORA.order, `cora.${i}@example.net`)).toContain(NOT_VERIFIED);
    // The real details, while the record is held, get the very same answer and link nothing.
    const real = person('Cora');
    expect(await attempt(real, CORA.order, CORA.email)).toContain(NOT_VERIFIED);
    expect(identityOf(real)?.customerId ?? null).toBeNull();

    const list = await conversation()({ id: 'mkt-mia', name: 'Mia' }, 'handoffs');
    expect(list).toContain(CORA.id);
    expect(list).toContain('chat verification for this customer is paused');
    expect(
      shop.store.audit
        .recent(100)
        .some((a) => a.action === 'verify_locked' && a.subject === `customer:${cora.id}`),
    ).toBe(true);

    // Her own refused try counted too (4 failures: 30 minutes); then she is verified.
    clock += 30 * MINUTE;
    expect(await attempt(real, CORA.order, CORA.email)).toContain(`verified as customer ${CORA.id}`);
    expect(identityOf(real)?.customerId).toBe(cora.id);
  });

  test('a campaign launch is confirmed only by the marketer who asked', async () => {
    const say = conversation();
    const mia = { id: 'mkt-mia', name: 'Mia' };
    const max = { id: 'mkt-max', name: 'Max' };
    const before = shop.app.campaigns.list().length;
    expect(await say(mia, 'start a win-back for at-risk customers with 10% off')).toContain(
      'Launch this campaign',
    );
    for (const text of ['yes', 'cancel']) {
      expect(await say(max, text)).toContain("I'm waiting for Mia to answer my question");
      expect(shop.app.campaigns.list().length).toBe(before);
    }
    expect(await say(mia, 'yes')).toMatch(/Campaign #\d+ is scheduled/);
    expect(shop.app.campaigns.list().length).toBe(before + 1);
  });

  test('verification questions are answered only by the person verifying', async () => {
    const say = conversation();
    const alice = person('Alice');
    const bob = person('Bob');
    expect(await say(alice, 'where is my order?')).toContain('number of one of your orders');
    expect(await say(bob, CORA.order)).toContain("I'm waiting for Alice to answer my question");
    expect(await say(alice, '6200001')).toContain('email address');
    expect(await say(bob, CORA.email)).toContain("I'm waiting for Alice");
    expect(identityOf(bob)?.customerId ?? null).toBeNull();
  });

  test('a question nobody answers lapses after a while, so a shared chat is not blocked', async () => {
    const say = conversation();
    const alice = person('Alice');
    const bob = person('Bob');
    expect(await say(alice, 'forget me')).toContain('Erase now?');
    expect(await say(bob, 'what would you recommend?')).toContain("I'm waiting for Alice");
    clock += QUESTION_HOLD_MS;
    expect(await say(bob, 'what would you recommend?')).toContain('Popular right now');
    // Alice's question is gone with it: her late yes erases nothing.
    expect(await say(alice, 'yes')).not.toContain('your data is erased');
    expect(identityOf(alice)).toBeDefined();
  });

  test("a marketer's complaint is feedback about retain: no promotion pause, not customer feedback", async () => {
    const say = conversation();
    const mia = { id: 'mkt-mia', name: 'Mia' };
    await say(mia, 'hello');
    // A marketer who is also one of the shop's customers.
    const identity = shop.store.identities.byAccount('webchat', mia.id)!;
    const customer = shop.store.orders.customerByExternal(CORA.id)!;
    shop.store.identities.linkCustomer(identity.id, customer.id);
    const customerFeedback = () =>
      (sql(shop.store).prepare(`SELECT COUNT(*) AS n FROM feedback`).get() as { n: number }).n;
    const before = customerFeedback();

    expect(await say(mia, 'list the at-risk customers')).toContain('Customers worth winning back');
    const reply = await say(mia, 'this report is useless');
    expect(reply).toContain('feedback about me, retain');
    expect(reply).not.toMatch(/promotions/);
    expect(customerFeedback()).toBe(before);
    expect(shop.store.feedback.lastNegativeAt(customer.id)).toBeNull();
    expect(shop.store.feedback.recentAboutBot(new Date(0), 1)[0]).toMatchObject({
      chatIdentityId: identity.id,
      text: 'this report is useless',
      sentimentLabel: 'negative',
    });
  });
});
