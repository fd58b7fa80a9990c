/**
 * Verification by a one-time code sent by email, the stronger path a shop gets with its email
 * channel: the real server (startBot) over real HTTP with Bot Framework activities, a stand-in for
 * the channel service, and a real SMTP server in this process as the shop's relay. The code is
 * read from the mail that arrived, as the customer would read it.
 */
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { startBot, type RunningBot } from '../../bot';
import { CODE_NOT_ACCEPTED, CODE_NOT_SENT, codeMaybeSent } from '../../dialogs/customer/verifyDialog';
import { DEFAULT_CODE_LIMITS } from '../../services/verification';
import { tempDir } from '../support/files';
import { sql } from '../support/sql';
import { startChannelService, type ChannelReply } from '../support/standIns';
import { openTestShop } from '../support/shop';
import { SmtpSink } from '../email/smtpSink';

jest.setTimeout(120_000);

interface Person {
  id: string;
  email: string;
  order: string;
}
const person = (n: number, name: string): Person => ({
  id: `VC${n}`,
  email: `${name}@example.org`,
  order: `74000${n}`,
});
const CARA = person(11, 'cara.vance');
const DREW = person(12, 'drew.okafor');
const ELLA = person(13, 'ella.marsh');
const FINN = person(14, 'finn.rowe');
const GIA = person(15, 'gia.lund');
const HAL = person(16, 'hal.brenner');
const PEOPLE = [CARA, DREW, ELLA, FINN, GIA, HAL];

const EXTRA_LINES = PEOPLE.map(
  (p) =>
    `${p.order},${p.id},85123A,WHITE HANGING HEART T-LIGHT HOLDER,2,2.95,2011-05-03T10:00:00Z,United Kingdom,${p.email}`,
);

let nextId = 0;
const replyText = (r: ChannelReply) =>
  [r.body.text ?? '', ...(r.body.attachments ?? []).map((a) => JSON.stringify(a.content))].join(' ');

describe('the real server with an email channel: verification links only with the code mailed to the address on file', () => {
  const tmp = tempDir();
  const sink = new SmtpSink();
  let channel: Awaited<ReturnType<typeof startChannelService>>;
  let bot: RunningBot;
  const minutes = Math.round(DEFAULT_CODE_LIMITS.validMs / 60_000);

  beforeAll(async () => {
    const shop = await openTestShop(tmp.dir, {}, { extraLines: EXTRA_LINES });
    const modelsDir = shop.config.modelsDir;
    shop.store.close();
    await sink.start();
    channel = await startChannelService();
    bot = await startBot({
      config: loadConfig({
        RETAIN_MODELS_DIR: modelsDir,
        RETAIN_WEBCHAT: 'off',
        RETAIN_SMTP_URL: sink.url,
        RETAIN_MAIL_FROM: 'Shop & Co <news@shop.example>',
        RETAIN_UNSUBSCRIBE_SECRET: 'x'.repeat(40),
        RETAIN_PUBLIC_URL: 'https://shop.example',
      }),
      dbFile: shop.dbFile,
      port: 0,
      host: '127.0.0.1',
      log: createLogger('silent'),
    });
  }, 180_000);
  afterAll(async () => {
    await bot?.stop();
    await channel?.close();
    await sink.stop();
    tmp.cleanup();
  });

  async function say(user: string, text: string): Promise<string> {
    const before = channel.replies.length;
    const res = await fetch(`${bot.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `act-${++nextId}`,
        channelId: 'webchat',
        serviceUrl: channel.url,
        conversation: { id: `conv-${user}` },
        from: { id: user, name: user },
        recipient: { id: 'retain-bot' },
        text,
      }),
    });
    expect(res.status).toBe(200);
    return channel.replies.slice(before).map(replyText).join('\n');
  }

  /** Asks for the order status and gives an order number and email: the answer to the details. */
  async function giveDetails(user: string, order: string, email: string): Promise<string> {
    expect(await say(user, 'where is my order?')).toContain('number of one of your orders');
    expect(await say(user, order)).toContain('email address');
    return say(user, email);
  }

  /** The mails that reached an address (the relay hands them over before the chat answers). */
  async function mailsTo(address: string, atLeast = 0) {
    const to = () => sink.arrived.filter((m) => m.envelopeTo.includes(address));
    for (let i = 0; i < 100 && to().length < atLeast; i++) await new Promise((r) => setTimeout(r, 20));
    return to();
  }
  const codeIn = (mail: { parsed: { text?: string } }) => /\b(\d{6})\b/.exec(mail.parsed.text ?? '')![1];
  const linked = (p: Person) =>
    sql(bot.store)
      .prepare(
        `SELECT COUNT(*) AS n FROM chat_identities i JOIN customers c ON c.id = i.customer_id WHERE c.external_id = ?`,
      )
      .get(p.id) as { n: number };

  test('the right details get a code by email and the same answer as wrong ones; typing the code links and carries on', async () => {
    const right = await giveDetails('cara-chat', CARA.order, CARA.email);
    const wrongEmail = await giveDetails('cara-wrong-1', CARA.order, 'not.cara@example.org');
    const unknownOrder = await giveDetails('cara-wrong-2', '7999999', CARA.email);
    expect(right).toContain(codeMaybeSent(minutes));
    expect(wrongEmail).toBe(right);
    expect(unknownOrder).toBe(right);
    // One mail, to the address on file only, for the right details alone.
    const mails = await mailsTo(CARA.email, 1);
    expect(mails).toHaveLength(1);
    expect(sink.arrived.filter((m) => m.envelopeTo.includes('not.cara@example.org'))).toHaveLength(0);
    const mail = mails[0];
    expect(mail.parsed.subject).toMatch(/^Your Shop & Co chat code: \d{6}$/);
    expect(mail.parsed.text).toContain(`works for ${minutes} minutes`);
    expect(mail.header('list-unsubscribe')).toBeUndefined();
    // Nothing is linked before the code is typed back.
    expect(linked(CARA).n).toBe(0);

    const code = codeIn(mail);
    // As people type it: with a space in the middle.
    const answer = await say('cara-chat', `${code.slice(0, 3)} ${code.slice(3)}`);
    expect(answer).toContain(`you're verified as customer ${CARA.id}`);
    expect(answer).toContain(CARA.order); // the order status asked for at the start
    expect(linked(CARA).n).toBe(1);
    const audit = bot.store.audit.recent(50).find((a) => a.action === 'customer_linked');
    expect(audit?.details).toEqual({ by: 'email_code' });
    // A code links once: the same code from another chat user (or again) links nothing.
    expect(await giveDetails('cara-thief', '7999998', 'x@example.org')).toContain(codeMaybeSent(minutes));
    expect(await say('cara-thief', code)).toContain("That code isn't right");
    expect(linked(CARA).n).toBe(1);
    // Only a keyed hash of the code is stored.
    const rows = JSON.stringify(sql(bot.store).prepare(`SELECT * FROM verify_codes`).all());
    expect(rows).not.toContain(code);
  });

  test('a code works only for the chat user it was sent for, and dies after three wrong tries', async () => {
    await giveDetails('drew-chat', DREW.order, DREW.email);
    const code = codeIn((await mailsTo(DREW.email, 1))[0]);
    // Somebody else in another chat (who gave wrong details, so no code was sent for them) cannot
    // use it, and hears exactly what a person typing wrong codes for a real code hears: the
    // answers do not tell whether the details matched.
    await giveDetails('drew-other', '7999997', DREW.email);
    const others: string[] = [];
    for (let i = 0; i < DEFAULT_CODE_LIMITS.triesPerCode; i++) others.push(await say('drew-other', code));
    expect(linked(DREW).n).toBe(0);

    const wrong = code === '000000' ? '111111' : '000000';
    const own: string[] = [];
    for (let i = 0; i < DEFAULT_CODE_LIMITS.triesPerCode; i++) own.push(await say('drew-chat', wrong));
    expect(own[0]).toContain("That code isn't right. Check the latest email");
    expect(own.at(-1)).toContain(CODE_NOT_ACCEPTED);
    expect(others).toEqual(own);
    // Closed: the right code no longer links.
    const identity = bot.store.identities.byAccount('webchat', 'drew-chat')!;
    expect(bot.store.verifyAttempts.openCode(identity.id, new Date())).toBeUndefined();
    expect('failure' in bot.app.care.confirmVerificationCode(identity.id, code)).toBe(true);
    expect(linked(DREW).n).toBe(0);
  });

  test('a typo gets another go: a wrong code, then the right one, links', async () => {
    await giveDetails('hal-chat', HAL.order, HAL.email);
    const code = codeIn((await mailsTo(HAL.email, 1))[0]);
    const typo = code.slice(0, 5) + String((Number(code[5]) + 1) % 10);
    expect(await say('hal-chat', typo)).toContain("That code isn't right");
    expect(await say('hal-chat', 'my code is ' + code)).toContain(`you're verified as customer ${HAL.id}`);
    expect(linked(HAL).n).toBe(1);
  });

  test('an expired code does not link', async () => {
    await giveDetails('gia-chat', GIA.order, GIA.email);
    const code = codeIn((await mailsTo(GIA.email, 1))[0]);
    // Eleven minutes later, as far as the code is concerned.
    sql(bot.store)
      .prepare(`UPDATE verify_codes SET expires_at = ? WHERE closed_at IS NULL AND chat_identity_id = ?`)
      .run(
        new Date(Date.now() - 60_000).toISOString(),
        bot.store.identities.byAccount('webchat', 'gia-chat')!.id,
      );
    expect(await say('gia-chat', code)).toContain("That code isn't right");
    expect(linked(GIA).n).toBe(0);
  });

  test("a customer's inbox gets at most five codes a day, however many chats ask; the shop sees the rest", async () => {
    const answers: string[] = [];
    for (let i = 0; i < DEFAULT_CODE_LIMITS.codesPerWindow + 2; i++)
      answers.push(await giveDetails(`ella-${i}`, ELLA.order, ELLA.email));
    expect(new Set(answers)).toEqual(new Set([answers[0]]));
    expect(answers[0]).toContain(codeMaybeSent(minutes));
    await new Promise((r) => setTimeout(r, 200));
    expect(await mailsTo(ELLA.email)).toHaveLength(DEFAULT_CODE_LIMITS.codesPerWindow);
    const capped = bot.store.audit.recent(100).filter((a) => a.action === 'verify_code_capped');
    expect(capped).toHaveLength(2);
  });

  test('when the relay refuses the mail the customer is told, and nothing is linked', async () => {
    sink.script(FINN.email, { code: 550, message: 'mailbox unavailable' });
    const answer = await giveDetails('finn-chat', FINN.order, FINN.email);
    expect(answer).toContain(CODE_NOT_SENT);
    expect(linked(FINN).n).toBe(0);
    // The code that could not be sent does not work either.
    const identity = bot.store.identities.byAccount('webchat', 'finn-chat')!;
    expect(bot.store.verifyAttempts.openCode(identity.id, new Date())).toBeUndefined();
  });
});
