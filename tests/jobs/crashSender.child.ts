/**
 * The sender as its own process, for the crash tests: recover what a killed predecessor left in
 * 'sending', then send everything queued, to the chat stand-in, or through the SMTP relay when
 * its URL is given (then no message may go to a chat).
 * Run with: node -r ./tests/jobs/tsRegister.js <this> DB [SMTP_URL]
 */
import { openStore } from '../../data/store';
import { OutboxSender } from '../../jobs/sender';
import { createEmailChannel } from '../../jobs/email/emailChannel';
import { mailConfig } from '../email/emailShop';
import { httpSend } from './standInChannel';

const RATE = { perSecond: 10_000, burst: 100 };

async function main() {
  const [dbFile, smtpUrl] = process.argv.slice(2);
  const store = openStore(dbFile);
  const email = smtpUrl ? createEmailChannel(mailConfig(smtpUrl), { maxConnections: 3 }) : undefined;
  const sender = new OutboxSender(store, {
    send: email ? () => Promise.reject(new Error('no chat in this test')) : httpSend,
    email: email ? { sender: email, rate: RATE } : undefined,
    rate: RATE,
    concurrency: 3,
    maxAttempts: 5,
    backoff: { baseMs: 10, maxMs: 100 },
    timeoutMs: 5000,
    quietHours: null,
    defaultTimeZone: 'UTC',
    rules: { complaintDays: 30, frequencyWindowDays: 1, maxMessagesPerWindow: 1000 },
    leaseMs: 0, // the only sender: whatever is 'sending' was orphaned by the killed one
  });
  const recovered = sender.recover();
  const summary = await sender.drain();
  email?.close();
  store.close();
  process.stdout.write(JSON.stringify({ recovered, ...summary }) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error) + '\n');
  process.exit(1);
});
