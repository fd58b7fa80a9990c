/**
 * Local mode (no credentials: nothing is authenticated, the server listens on loopback only) is
 * for the person at this machine and the Bot Framework Emulator. A web page they visit can still
 * send requests to localhost from their browser, with any Host name (DNS rebinding) or as a
 * cross-origin post; and an activity names its own serviceUrl, where the bot sends its replies.
 * So in local mode:
 *
 * - the Host header must be a loopback name (or the host of an allowed origin): a rebound name
 *   is refused;
 * - a request with an Origin header (every browser POST has one) must come from this server's
 *   own page (or an allowed origin): a cross-origin browser request is refused;
 * - replies go only to a serviceUrl on this machine (or an allowed origin).
 *
 * The Emulator posts JSON from its own process, without an Origin, with a loopback serviceUrl.
 */
import type http from 'node:http';

export interface LocalAccess {
  /** Browser origins (RETAIN_LOCAL_ALLOWED_ORIGINS); their hosts also pass the Host check. */
  allowedOrigins: readonly string[];
  /** Origins of service URLs the bot may reply to (RETAIN_LOCAL_SERVICE_URLS). */
  serviceUrlOrigins: readonly string[];
}

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;
const LOOPBACK_HOSTNAME = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])$/i;

/** Why this request may not reach the local server, or undefined when it may. */
export function localRequestRefusal(req: http.IncomingMessage, access: LocalAccess): string | undefined {
  const host = (req.headers.host ?? '').toLowerCase();
  const allowedHosts = access.allowedOrigins.map((o) => new URL(o).host);
  if (!LOOPBACK_HOST.test(host) && !allowedHosts.includes(host)) {
    return 'this local server answers only to localhost (see RETAIN_LOCAL_ALLOWED_ORIGINS)';
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const sameOrigin = origin === `http://${host}` || origin === `https://${host}`;
  if (sameOrigin || access.allowedOrigins.includes(origin)) return undefined;
  return 'this local server refuses requests from other web pages (see RETAIN_LOCAL_ALLOWED_ORIGINS)';
}

/** Whether the bot may send replies to this serviceUrl in local mode. */
export function isLocalServiceUrl(serviceUrl: string, access: LocalAccess): boolean {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (!/^https?:$/.test(url.protocol)) return false;
  return LOOPBACK_HOSTNAME.test(url.hostname) || access.serviceUrlOrigins.includes(url.origin);
}
