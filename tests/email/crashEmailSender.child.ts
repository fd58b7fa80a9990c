/**
 * The sender with the email channel as its own process, for the crash test: recover what a
 * killed predecessor left in 'sending', then send everything queued through the SMTP relay.
 * Run with: node -r ./tests/jobs/tsRegister.js <this> DB SMTP_URL
 */
import { openStore } from '../../data/store';
import { OutboxSender } from '../../jobs/sender';
import { createEmailChannel } from '../../jobs/email/emailChannel';
import { mailConfig } from './emailShop';

async function main() {
  const [dbFile, smtpUrl] = process.argv.slice(2);
  const store = openStore(dbFile);
  const email = createEmailChannel(mailConfig(smtpUrl), { maxConnections: 3 });
  const sender = new OutboxSender(store, {
    send: () => Promise.reject(new Error('no chat in this test')),
    email: { sender: email, rate: { perSecond: 10_000, burst: 100 } },
    rate: { perSecond: 10_000, burst: 100 },
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
  email.close();
  store.close();
  process.stdout.write(JSON.stringify({ recovered, ...summary }) + '\n');
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error) + '\n');
  process.exit(1);
});
