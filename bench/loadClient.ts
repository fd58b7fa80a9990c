/**
 * The load generator of bench:server, in its own process so that it does not share the event
 * loop (or the measurements) with the servers under test. Prints a summary as JSON.
 *  - without paceMs: autocannon, closed loop (each conversation sends again once answered);
 *  - with paceMs: people typing: each conversation waits a random think time (uniformly 0.5x to
 *    1.5x paceMs, so conversations do not fire in lock-step) before each message.
 * Usage: node dist/bench/loadClient.js <url> <serviceUrl> <connections> <seconds> [paceMs]
 */
import autocannon from 'autocannon';

/** Every fifth conversation is a marketer's (bench/server.ts makes them marketers). */
export const isMarketer = (conversation: number) => conversation % 5 === 0;

export const MARKETER_MESSAGES = [
  'which segments do we have?',
  'who is likely to churn in Germany?',
  'what is customer 15061 worth?',
  'list the at-risk customers',
  'top products last month',
  'model status',
  'customer lifetime value report',
  'tell me about the champions segment',
];
export const CUSTOMER_MESSAGES = [
  'hi',
  'recommend me something',
  'gift ideas under £20',
  'how do I return an item',
  'how long does delivery take?',
  'something like the lunch bag red retrospot',
  'thanks!',
  'where is my order?',
  'cancel',
  'the cake stand was lovely',
];

export interface LoadSummary {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

function message(serviceUrl: string, n: number, c: number, turn: number): string {
  const messages = isMarketer(c) ? MARKETER_MESSAGES : CUSTOMER_MESSAGES;
  return JSON.stringify({
    type: 'message',
    id: `a${n}`,
    channelId: 'webchat',
    serviceUrl,
    conversation: { id: `conv-${c}` },
    from: { id: `user-${c}` },
    recipient: { id: 'retain' },
    text: messages[turn % messages.length],
  });
}

async function paced(
  url: string,
  serviceUrl: string,
  connections: number,
  seconds: number,
  paceMs: number,
): Promise<LoadSummary> {
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let n = 0;
  const end = Date.now() + seconds * 1000;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      for (let turn = 0; ; turn++) {
        await sleep(paceMs * (0.5 + Math.random()));
        if (Date.now() >= end) return;
        const started = performance.now();
        try {
          const res = await fetch(`${url}/api/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: message(serviceUrl, ++n, c, turn),
          });
          await res.arrayBuffer();
          if (res.status >= 300) non2xx++;
          latencies.push(performance.now() - started);
        } catch {
          errors++;
        }
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN);
  return {
    requestsPerSecond: Math.round(latencies.length / seconds),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    non2xx,
    errors,
  };
}

function closedLoop(
  url: string,
  serviceUrl: string,
  connections: number,
  seconds: number,
): Promise<LoadSummary> {
  let n = 0;
  return new Promise<LoadSummary>((resolve, reject) => {
    autocannon(
      {
        url: `${url}/api/messages`,
        connections,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => {
              n++;
              return { ...req, body: message(serviceUrl, n, n % connections, Math.floor(n / connections)) };
            },
          },
        ],
      },
      (err, r) =>
        err
          ? reject(err)
          : resolve({
              requestsPerSecond: Math.round(r.requests.average),
              p50Ms: r.latency.p50,
              p99Ms: r.latency.p99,
              non2xx: r.non2xx,
              errors: r.errors,
            }),
    );
  });
}

if (require.main === module) {
  const [url, serviceUrl, connections, seconds, paceMs] = process.argv.slice(2);
  (paceMs
    ? paced(url, serviceUrl, Number(connections), Number(seconds), Number(paceMs))
    : closedLoop(url, serviceUrl, Number(connections), Number(seconds))
  )
    .then((r) => process.stdout.write(JSON.stringify(r)))
    .catch((err) => {
      console.error(err);
      process.exit(1);
    });
}
