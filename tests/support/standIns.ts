/** Local HTTP stand-ins for the services the bot talks to, on free loopback ports. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandIn {
  url: string;
  close: () => Promise<void>;
}

/** A tiny HTTP server; `handle` answers each request (JSON bodies are parsed). */
export function startHttpServer(
  handle: (req: http.IncomingMessage, body: unknown, res: http.ServerResponse) => void,
): Promise<StandIn> {
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => handle(req, data ? JSON.parse(data) : undefined, res));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

export interface ChannelReply {
  path: string;
  body: {
    type?: string;
    text?: string;
    attachments?: Array<{ contentType: string; content: { body: Array<{ text?: string }> } }>;
    [key: string]: unknown;
  };
}

/** A member of a Teams conversation, as the roster call answers it (TeamsChannelAccount). */
export interface RosterMember {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
}

export interface ChannelServiceOptions {
  /**
   * Teams members by user id: GET /v3/conversations/{conversation or team}/members/{user id}
   * answers with the member (404 when unknown), as the Teams channel service does. A member
   * given as 'fail' gets a 500.
   */
  roster?: Map<string, RosterMember | 'fail'>;
}

const MEMBER = /^\/v3\/conversations\/[^/]+\/members\/([^/?]+)$/;

/**
 * A stand-in for the Bot Framework channel service: records the replies the bot sends, and
 * answers Teams roster look-ups (each recorded in `rosterCalls`).
 */
export async function startChannelService(
  options: ChannelServiceOptions = {},
): Promise<StandIn & { replies: ChannelReply[]; rosterCalls: string[] }> {
  const replies: ChannelReply[] = [];
  const rosterCalls: string[] = [];
  const server = await startHttpServer((req, body, res) => {
    const member = req.method === 'GET' ? MEMBER.exec(req.url ?? '') : null;
    if (member) {
      const userId = decodeURIComponent(member[1]);
      rosterCalls.push(userId);
      const found = options.roster?.get(userId);
      // Not chained: restify, loaded in the same process, patches writeHead to return nothing.
      res.writeHead(found && found !== 'fail' ? 200 : found === 'fail' ? 500 : 404, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify(found && found !== 'fail' ? found : { error: { code: 'NotFound' } }));
      return;
    }
    replies.push({ path: req.url ?? '', body: body as ChannelReply['body'] });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `reply-${replies.length}` }));
  });
  return { ...server, replies, rosterCalls };
}
