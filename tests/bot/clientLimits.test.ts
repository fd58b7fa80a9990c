/**
 * The pieces behind the per-client and memory limits, one by one: who the client is behind a
 * proxy, how its requests are counted, what the web chat may hold, where local mode may reply,
 * and the settings that configure them.
 */
import type http from 'node:http';
import { clientAddressOf, clientKey } from '../../bot/clientAddress';
import { isLocalServiceUrl } from '../../bot/localGuard';
import { RateLimiter } from '../../bot/rateLimiter';
import { ConversationStore } from '../../bot/directLine/conversationStore';
import { ConfigError, loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';

const request = (remoteAddress: string, forwardedFor?: string) =>
  ({
    socket: { remoteAddress },
    headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
  }) as unknown as http.IncomingMessage;

describe('client address behind a reverse proxy', () => {
  it('believes X-Forwarded-For only from trusted proxies, read from the right', () => {
    const behindProxy = clientAddressOf(['loopback', '10.0.0.0/8']);
    expect(behindProxy(request('127.0.0.1'))).toBe('127.0.0.1');
    expect(behindProxy(request('127.0.0.1', '203.0.113.9'))).toBe('203.0.113.9');
    // The client wrote the first entry itself; the proxies appended the rest.
    expect(behindProxy(request('127.0.0.1', '1.2.3.4, 203.0.113.9, 10.1.2.3'))).toBe('203.0.113.9');
    expect(behindProxy(request('::ffff:127.0.0.1', '198.51.100.7:51234'))).toBe('198.51.100.7');
    expect(behindProxy(request('::1', '[2001:db8::5]:443'))).toBe('2001:db8::5');
    // What no trusted proxy wrote stops the walk at the last address one did.
    expect(behindProxy(request('127.0.0.1', 'not-an-address, 10.9.9.9'))).toBe('10.9.9.9');
    // A client that is not a trusted proxy cannot name someone else.
    expect(behindProxy(request('203.0.113.50', '198.51.100.1'))).toBe('203.0.113.50');
  });

  it('ignores X-Forwarded-For when no proxy is trusted, and says so once', () => {
    const warnings: string[] = [];
    const log = createLogger('silent');
    log.warn = ((message: string) => void warnings.push(message)) as typeof log.warn;
    const direct = clientAddressOf([], log);
    expect(direct(request('127.0.0.1', '203.0.113.9'))).toBe('127.0.0.1');
    expect(direct(request('127.0.0.1', '203.0.113.10'))).toBe('127.0.0.1');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/RETAIN_TRUSTED_PROXY/);
  });

  it('counts an IPv6 client by its /64 network, an IPv4 client by its address', () => {
    expect(clientKey('203.0.113.9')).toBe('203.0.113.9');
    expect(clientKey('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0003::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });
});

describe('rate limiter', () => {
  it('peeks without taking', () => {
    const limiter = new RateLimiter({ burst: 2, perSecond: 1, now: () => 0 });
    expect(limiter.peek('a')).toBe(0);
    limiter.take('a');
    limiter.take('a');
    expect(limiter.peek('a')).toBe(1);
    expect(limiter.peek('a')).toBe(1);
    expect(limiter.peek('b')).toBe(0);
  });

  it('keeps at most maxKeys buckets, forgetting the least recently used', () => {
    const limiter = new RateLimiter({ burst: 1, perSecond: 0.001, maxKeys: 3, now: () => 0 });
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    limiter.take('a');
    limiter.take('d');
    expect(limiter.size).toBe(3);
    // b was the least recently used: forgotten, so it starts with a full bucket again.
    expect(limiter.take('b')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThan(0);
  });
});

describe('web chat conversations in bytes', () => {
  const user = { id: 'dl_u', name: 'U' };
  const activity = (kb: number) => ({ type: 'event', name: 'x', value: 'x'.repeat(kb * 1024) });

  it('keeps a bulky conversation to its byte cap, dropping its oldest activities', () => {
    const store = new ConversationStore({ maxBytesPerConversation: 10 * 1024 });
    const c = store.byToken(store.issue(user).token)!;
    for (let i = 0; i < 6; i++) store.append(c, activity(3));
    const { activities, watermark } = store.since(c, 0);
    expect(watermark).toBe('6');
    expect(activities.length).toBe(3);
    expect(store.bytes).toBeLessThanOrEqual(10 * 1024);
    expect(store.bytes).toBe(c.bytes);
  });

  it('ends the least recently active conversations holding activities when all together are too big', () => {
    const store = new ConversationStore({ maxBytes: 20 * 1024 });
    const idle = store.issue(user);
    const a = store.byToken(store.issue(user).token)!;
    const b = store.byToken(store.issue(user).token)!;
    store.append(a, activity(8));
    store.append(b, activity(8));
    store.append(a, activity(8));
    // b is now the least recently active with activities; the idle, empty one frees nothing.
    expect(store.byId(b.id)).toBeUndefined();
    expect(store.byId(a.id)).toBeDefined();
    expect(store.byToken(idle.token)).toBeDefined();
    expect(store.bytes).toBeLessThanOrEqual(20 * 1024);
    expect(store.bytes).toBe(a.bytes);
  });

  it('keeps nothing for a conversation that ended while the bot was answering', () => {
    const store = new ConversationStore({ maxConversations: 1 });
    const first = store.byToken(store.issue(user).token)!;
    store.issue(user);
    store.append(first, activity(4));
    expect(store.bytes).toBe(0);
    expect(store.size).toBe(1);
  });
});

describe('where local mode may send replies', () => {
  const access = { allowedOrigins: [], serviceUrlOrigins: ['http://emulator.lan:53000'] };
  it.each([
    ['http://localhost:53000', true],
    ['http://127.0.0.1:53000/', true],
    ['http://[::1]:53000', true],
    ['https://localhost', true],
    ['http://emulator.lan:53000/v3', true],
    ['http://emulator.lan:53001', false],
    ['http://attacker.example', false],
    ['http://127.0.0.1.attacker.example', false],
    ['http://localhost@attacker.example', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('%s: %s', (url, allowed) => {
    expect(isLocalServiceUrl(url, access)).toBe(allowed);
  });
});

describe('settings of the limits', () => {
  it('has defaults', () => {
    const config = loadConfig({});
    expect(config.trustedProxies).toEqual([]);
    expect(config.clientRateLimit).toEqual({ burst: 20, perSecond: 0.2 });
    expect(config.local).toEqual({ allowedOrigins: [], serviceUrlOrigins: [] });
    expect(config.webChat.maxMemoryBytes).toBe(64 * 1024 * 1024);
  });

  it('reads lists of proxies and origins', () => {
    const config = loadConfig({
      RETAIN_TRUSTED_PROXY: 'loopback, 10.0.0.0/8 ,fd00::/8,192.0.2.1',
      RETAIN_LOCAL_ALLOWED_ORIGINS: 'http://devbox.lan:3978',
      RETAIN_LOCAL_SERVICE_URLS: 'https://tunnel.example/',
      RETAIN_WEBCHAT_MAX_MEMORY_MB: '16',
    });
    expect(config.trustedProxies).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8', '192.0.2.1']);
    expect(config.local).toEqual({
      allowedOrigins: ['http://devbox.lan:3978'],
      serviceUrlOrigins: ['https://tunnel.example'],
    });
    expect(config.webChat.maxMemoryBytes).toBe(16 * 1024 * 1024);
  });

  it.each([
    [{ RETAIN_TRUSTED_PROXY: 'proxy.example' }, /RETAIN_TRUSTED_PROXY: proxy\.example: is not "loopback"/],
    [{ RETAIN_TRUSTED_PROXY: '10.0.0.0/33' }, /prefix length must be 0-32/],
    [{ RETAIN_LOCAL_ALLOWED_ORIGINS: 'http://devbox/path' }, /must be an origin only, like http:\/\/devbox/],
    [{ RETAIN_LOCAL_SERVICE_URLS: 'ftp://files' }, /must be an http\(s\) URL/],
    [{ RETAIN_CLIENT_RATE_PER_SECOND: '0' }, /RETAIN_CLIENT_RATE_PER_SECOND/],
    [{ RETAIN_WEBCHAT_MAX_MEMORY_MB: '0' }, /RETAIN_WEBCHAT_MAX_MEMORY_MB/],
  ])('refuses %j with a clear message', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
