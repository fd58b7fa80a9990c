/**
 * HTTP the way a hostile client speaks it: raw bytes on a socket, connections dropped half-way.
 * fetch() would refuse or repair most of this.
 */
import net from 'node:net';
import http from 'node:http';

/** Starts a GET, reads about `bytes` of the answer, then destroys the socket; resolves with what was read. */
export function abortedDownload(baseUrl: string, path: string, bytes = 1024): Promise<number> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let read = 0;
    const socket = net.connect(Number(port), hostname, () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\n\r\n`),
    );
    socket.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read >= bytes) {
        socket.destroy();
        resolve(read);
      }
    });
    socket.on('error', reject);
    socket.on('end', () => resolve(read));
  });
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends one request exactly as given (any headers, any body bytes); resolves with the answer,
 * or with status 0 when the server closed the connection without one.
 */
export function rawRequest(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: hostname,
        port: Number(port),
        path,
        method: options.method ?? 'POST',
        agent: false,
        headers: {
          host: `localhost:${port}`,
          ...(body ? { 'content-length': String(body.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: '' }));
      },
    );
    // A server that answers early and closes may reset the upload: the answer, if any, still counts.
    req.on('error', () => resolve({ status: 0, headers: {}, body: '' }));
    req.end(body);
  });
}

/**
 * Writes `head` (request line and headers, CRLF-separated, without the blank line) and `body`
 * on a fresh socket, reads until the server closes or `waitMs` passes; returns the status of
 * the answer (0 if none) and all that was read.
 */
export function rawExchange(
  baseUrl: string,
  head: string[],
  body: Buffer = Buffer.alloc(0),
  waitMs = 3000,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0), text });
    };
    const timer = setTimeout(finish, waitMs);
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(Buffer.concat([Buffer.from([...head, '', ''].join('\r\n'), 'latin1'), body]));
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      // One answer is all we wait for: its headers and the body its Content-Length announces.
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text)?.[1];
      if (
        split >= 0 &&
        length !== undefined &&
        Buffer.byteLength(text, 'latin1') >= split + 4 + Number(length)
      ) {
        finish();
      }
    });
    socket.on('error', finish);
    socket.on('close', finish);
  });
}
