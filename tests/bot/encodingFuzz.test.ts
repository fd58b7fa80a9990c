/**
 * Property: whatever Content-Type, Content-Encoding, framing and body bytes a client sends to any
 * route that takes a body, the server answers (never crashes, never drops the request without an
 * answer) with a 4xx, or a 2xx where the request is valid, and never a 5xx. Sent on raw sockets,
 * against the real server in both modes.
 */
import zlib from 'node:zlib';
import fc from 'fast-check';
import { message, startTestServer, type HostileTestServer } from './hostileServers';
import { rawExchange } from './rawHttp';

jest.setTimeout(300_000);

const ROUTES = [
  '/api/messages',
  '/webchat/session',
  '/v3/directline/conversations',
  '/v3/directline/tokens/refresh',
  '/v3/directline/tokens/generate',
  '/webchat/connector/v3/conversations/some-conversation/activities',
];

/** Header text as it may arrive: any byte but CR and LF (which would end the header). */
const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
const json = fc.constantFrom('application/json', 'application/json; charset=utf-8');
const contentType = fc.oneof(
  { arbitrary: json, weight: 4 },
  {
    arbitrary: fc.constantFrom(
      'Application/JSON; charset="UTF-8"',
      'application/json; charset=latin1',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain',
      'application/octet-stream',
      'application/*+json',
      '',
    ),
    weight: 2,
  },
  { arbitrary: headerText, weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);
const contentEncoding = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 4 },
  {
    arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'GZIP', 'gzip, identity', 'compress'),
    weight: 1,
  },
  { arbitrary: headerText, weight: 1 },
);
const route = fc.oneof(
  { arbitrary: fc.constant(ROUTES[0]), weight: ROUTES.length },
  { arbitrary: fc.constantFrom(...ROUTES.slice(1)), weight: ROUTES.length },
);
const framing = fc.oneof(
  { arbitrary: fc.constant('length' as const), weight: 4 },
  { arbitrary: fc.constant('chunked' as const), weight: 2 },
  { arbitrary: fc.constant('both' as const), weight: 1 },
);

const isJsonType = (type: string | undefined) =>
  !!type && /^application\/json(; charset=utf-8)?$/i.test(type);

function bodies(serviceUrl: string) {
  let n = 0;
  const activity = fc.constant(null).map(() => JSON.stringify(message(serviceUrl, `fuzz-${++n}`, 'hello')));
  return fc.oneof(
    { arbitrary: activity.map((a) => ({ bytes: Buffer.from(a), valid: true })), weight: 3 },
    {
      arbitrary: fc.uint8Array({ maxLength: 4096 }).map((b) => ({ bytes: Buffer.from(b), valid: false })),
      weight: 1,
    },
    { arbitrary: fc.json().map((j) => ({ bytes: Buffer.from(j), valid: false })), weight: 1 },
    {
      arbitrary: fc.integer({ min: 1, max: 5000 }).map((depth) => ({
        bytes: Buffer.from('['.repeat(depth) + ']'.repeat(depth)),
        valid: false,
      })),
      weight: 1,
    },
    { arbitrary: activity.map((a) => ({ bytes: zlib.gzipSync(a), valid: false })), weight: 1 },
    { arbitrary: fc.constant({ bytes: Buffer.alloc(0), valid: false }), weight: 1 },
  );
}

/** The body as sent: with Content-Length, chunked, or (wrongly) both. */
function framed(bytes: Buffer, framing: 'length' | 'chunked' | 'both'): { headers: string[]; body: Buffer } {
  const chunked = Buffer.concat([
    ...(bytes.length ? [Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')] : []),
    Buffer.from('0\r\n\r\n'),
  ]);
  if (framing === 'length') return { headers: [`Content-Length: ${bytes.length}`], body: bytes };
  if (framing === 'chunked') return { headers: ['Transfer-Encoding: chunked'], body: chunked };
  return { headers: ['Transfer-Encoding: chunked', `Content-Length: ${bytes.length}`], body: chunked };
}

describe.each([
  ['local mode', false],
  ['with credentials', true],
])('random bodies and encodings never crash the server (%s)', (_mode, credentials) => {
  let server: HostileTestServer;
  beforeAll(async () => {
    // Limits lifted, so that the runs reach past them.
    server = await startTestServer({
      credentials,
      env: { RETAIN_WEBCHAT: 'on', RETAIN_RATE_BURST: '100000', RETAIN_CLIENT_RATE_BURST: '100000' },
    });
  });
  afterAll(() => server?.stop());

  it('answers every request with a 4xx, or a 2xx where it is valid', async () => {
    const { url } = server;
    const port = new URL(url).port;
    const seen: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(
        route,
        contentType,
        contentEncoding,
        bodies(server.channel.url),
        framing,
        fc.constantFrom('none', 'junk', 'signed'),
        async (path, type, encoding, { bytes, valid }, frame, token) => {
          const authorization =
            token === 'junk' ? 'Bearer junk' : token === 'signed' ? server.signing?.token({}) : undefined;
          const { headers, body } = framed(bytes, frame);
          const answer = await rawExchange(
            url,
            [
              `POST ${path} HTTP/1.1`,
              `Host: 127.0.0.1:${port}`,
              'Connection: close',
              ...(type === undefined ? [] : [`Content-Type: ${type}`]),
              ...(encoding === undefined ? [] : [`Content-Encoding: ${encoding}`]),
              ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
              ...headers,
            ],
            body,
          );
          seen[answer.status] = (seen[answer.status] ?? 0) + 1;
          // 0 would mean no answer at all: the connection dropped or the server died.
          expect(answer.status).toBeGreaterThanOrEqual(200);
          expect(answer.status).toBeLessThan(500);
          const plain = encoding === undefined || encoding === 'identity';
          const trusted = !credentials || token === 'signed';
          if (trusted && path === ROUTES[0] && valid && plain && isJsonType(type) && frame !== 'both') {
            expect(answer.status).toBe(200);
          }
        },
      ),
      { numRuns: 150, seed: 20261205 },
    );
    // The runs reached every kind of answer, the bot itself included.
    expect(seen[400]).toBeGreaterThan(0);
    expect(seen[415]).toBeGreaterThan(0);
    expect(seen[200]).toBeGreaterThan(0);
    if (credentials) expect(seen[401]).toBeGreaterThan(0);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});
