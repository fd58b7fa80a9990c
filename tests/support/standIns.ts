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

/** A stand-in for the Bot Framework channel service: records the replies the bot sends. */
export async function startChannelService(): Promise<StandIn & { replies: ChannelReply[] }> {
  const replies: ChannelReply[] = [];
  const server = await startHttpServer((req, body, res) => {
    replies.push({ path: req.url ?? '', body: body as ChannelReply['body'] });
    // Not chained: restify, loaded in the same process, patches writeHead to return nothing.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `reply-${replies.length}` }));
  });
  return { ...server, replies };
}
