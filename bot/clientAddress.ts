/**
 * Who is on the other end of a request, for per-client limits. Behind a reverse proxy every
 * request comes from the proxy's address; the proxy names the client in X-Forwarded-For, but
 * anyone can send that header, so it is believed only from proxies the operator listed
 * (RETAIN_TRUSTED_PROXY), read from the right: the first address not of a trusted proxy is the
 * client.
 */
import net from 'node:net';
import type http from 'node:http';
import type { Logger } from '../lib/logger';

export type ClientAddressOf = (req: http.IncomingMessage) => string;

/**
 * `trustedProxies`: "loopback", IP addresses and CIDR ranges (validated by lib/config.ts). The
 * first X-Forwarded-For from an address not among them is worth a warning: it is most likely the
 * operator's own proxy, not yet configured, and then every visitor counts as the proxy.
 */
export function clientAddressOf(trustedProxies: readonly string[], log?: Logger): ClientAddressOf {
  const trusted = trustList(trustedProxies);
  let warned = false;
  const warnOnce = (from: string) => {
    if (warned) return;
    warned = true;
    log?.warn(
      `X-Forwarded-For from ${from} is ignored: if that is your reverse proxy, set RETAIN_TRUSTED_PROXY ` +
        '(e.g. loopback); until then per-client limits count all its visitors as one client',
    );
  };
  return (req) => {
    let address = normalise(req.socket.remoteAddress ?? '');
    const header = req.headers['x-forwarded-for'];
    if (!header) return address;
    if (!trusted || !isTrusted(trusted, address)) {
      warnOnce(address);
      return address;
    }
    const hops = (Array.isArray(header) ? header.join(',') : header).split(',').map((h) => h.trim());
    while (hops.length > 0 && isTrusted(trusted, address)) {
      const hop = normalise(hops.pop()!);
      // A hop that is not an address was not written by a proxy we trust: stop at the last good one.
      if (!net.isIP(hop)) break;
      address = hop;
    }
    return address;
  };
}

/**
 * The key a client's requests are counted under: its address, or for IPv6 its /64 network,
 * because one subscriber usually holds a whole /64 and could otherwise pick a fresh address
 * for every request.
 */
export function clientKey(address: string): string {
  if (net.isIPv6(address)) return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
  return address;
}

function trustList(entries: readonly string[]): net.BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new net.BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, bits] = entry.split('/');
    const type = net.isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return list;
}

function isTrusted(list: net.BlockList, address: string): boolean {
  const family = net.isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * A dual-stack socket reports IPv4 clients as ::ffff:1.2.3.4; they are 1.2.3.4. Some proxies
 * write the client's port too (1.2.3.4:5678, [2001:db8::1]:5678).
 */
function normalise(address: string): string {
  const bare =
    /^\[([^\]]+)\](?::\d+)?$/.exec(address)?.[1] ??
    /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(address)?.[1] ??
    address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped ? mapped[1] : bare.toLowerCase();
}

/** The eight 16-bit groups of an IPv6 address, "::" expanded. */
function ipv6Groups(address: string): string[] {
  const [head, tail] = address.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const fill = tail === undefined ? [] : Array(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}
