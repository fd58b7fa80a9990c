/**
 * The small form bodies of one-click unsubscribes (RFC 8058: `List-Unsubscribe=One-Click`, sent
 * as application/x-www-form-urlencoded or multipart/form-data) and of the confirmation page's
 * button. Read the way jsonBody.ts reads JSON: plain (no Content-Encoding), at most `maxBytes`
 * counted as they arrive, anything else refused with a status. Only short text fields are
 * understood; a file part is refused.
 */
import type http from 'node:http';

export type FormBody =
  | { ok: true; fields: Record<string, string> }
  | { ok: false; status: 400 | 413 | 415; message: string }
  /** The client went away before the body was complete. */
  | { ok: false; status: 0; message: string };

export function readFormBody(req: http.IncomingMessage, maxBytes: number): Promise<FormBody> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') return refuse(415, 'compressed request bodies are not accepted');
  const declared = Number(req.headers['content-length'] ?? 0);
  const hasBody = req.headers['transfer-encoding'] !== undefined || declared > 0;
  if (!hasBody) return Promise.resolve({ ok: true, fields: {} });
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const multipart = /^multipart\/form-data\s*;/.test(type);
  if (!multipart && !/^application\/x-www-form-urlencoded\s*(;|$)/.test(type))
    return refuse(415, 'the body must be a form (application/x-www-form-urlencoded or multipart/form-data)');
  if (declared > maxBytes) return refuse(413, `the body is larger than ${maxBytes} bytes`);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (result: FormBody) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) {
        req.pause();
        finish({ ok: false, status: 413, message: `the body is larger than ${maxBytes} bytes` });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      const text = Buffer.concat(chunks, received).toString('utf8');
      finish(multipart ? parseMultipart(text, type) : parseUrlEncoded(text));
    });
    req.once('aborted', () => finish({ ok: false, status: 0, message: 'the client closed the connection' }));
    req.once('error', () => finish({ ok: false, status: 0, message: 'the client closed the connection' }));
  });
}

function parseUrlEncoded(text: string): FormBody {
  const fields: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) fields[k] = v;
  return { ok: true, fields };
}

function parseMultipart(text: string, contentType: string): FormBody {
  const boundary = /boundary="?([^";]{1,70})"?/i.exec(contentType)?.[1];
  if (!boundary) return { ok: false, status: 400, message: 'multipart body without a boundary' };
  const fields: Record<string, string> = {};
  for (const part of text.split(`--${boundary}`).slice(1)) {
    if (part.startsWith('--')) break; // the closing delimiter
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return { ok: false, status: 400, message: 'a multipart part has no headers' };
    const headers = part.slice(0, split);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    if (/filename=/i.test(disposition)) return { ok: false, status: 400, message: 'files are not accepted' };
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) return { ok: false, status: 400, message: 'a multipart part has no name' };
    fields[name] = part.slice(split + 4).replace(/\r\n$/, '');
  }
  return { ok: true, fields };
}

function refuse(status: 413 | 415, message: string): Promise<FormBody> {
  return Promise.resolve({ ok: false, status, message });
}
