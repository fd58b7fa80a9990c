/**
 * The one way request bodies are read: JSON only, plain (no Content-Encoding: a small gzip body
 * can inflate to gigabytes, and no client of this server compresses), at most `maxBytes`, counted
 * as the bytes arrive, so a refused body costs at most that much memory and nothing on disk.
 * Forms and multipart uploads are refused (415) rather than parsed: nothing here takes files.
 */
import type http from 'node:http';

export interface JsonBodyOptions {
  maxBytes: number;
  /** A request without a JSON body is refused (415) instead of read as "no body". */
  required?: boolean;
}

export type JsonBody =
  | { ok: true; body: unknown }
  /** Refused: answer `status` with `message`, and close the connection (the rest is not read). */
  | { ok: false; status: 400 | 413 | 415; message: string }
  /** The client went away before the body was complete: there is nobody to answer. */
  | { ok: false; status: 0; message: string };

/** Deeper JSON than any activity has, and shallow enough for every recursive walk of it. */
const MAX_DEPTH = 64;

export function readJsonBody(req: http.IncomingMessage, options: JsonBodyOptions): Promise<JsonBody> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    return refuse(415, `compressed request bodies are not accepted (Content-Encoding: ${clip(encoding)})`);
  }
  const declared = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(declared ?? 0) > 0;
  if (!hasBody && !options.required) return Promise.resolve({ ok: true, body: undefined });
  if (!isJson(req.headers['content-type'])) {
    return refuse(415, 'the body must be JSON (Content-Type: application/json)');
  }
  if (!hasBody) return Promise.resolve({ ok: true, body: undefined });
  if (Number(declared) > options.maxBytes) return refuse(413, tooLarge(options.maxBytes));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const finish = (result: JsonBody) => {
      if (settled) return;
      settled = true;
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('aborted', onGone);
      req.removeListener('close', onClose);
      req.removeListener('error', onGone);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > options.maxBytes) {
        // Stop reading; the answer closes the connection, so the rest is never read.
        req.pause();
        chunks.length = 0;
        finish({ ok: false, status: 413, message: tooLarge(options.maxBytes) });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(parse(Buffer.concat(chunks, received)));
    const onGone = () => finish({ ok: false, status: 0, message: 'the client closed the connection' });
    // 'close' also follows a complete body; only an early one means the client left.
    const onClose = () => {
      if (!req.complete) onGone();
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('aborted', onGone);
    req.once('close', onClose);
    req.once('error', onGone);
  });
}

function parse(bytes: Buffer): JsonBody {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, status: 400, message: 'the body is not UTF-8 text' };
  }
  if (nestingDepth(text) > MAX_DEPTH) {
    return { ok: false, status: 400, message: `the JSON is nested more than ${MAX_DEPTH} levels deep` };
  }
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, status: 400, message: 'the body is not valid JSON' };
  }
}

/** application/json, optionally with charset=utf-8 (the only charset JSON has). */
function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => !p.startsWith('charset=') || /^charset="?utf-8"?$/.test(p));
}

/** Deepest nesting of arrays and objects, outside strings; one pass, no recursion. */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

const tooLarge = (max: number) => `the body is larger than ${Math.round(max / 1024)} KB`;
const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}...` : s);

function refuse(status: 413 | 415, message: string): Promise<JsonBody> {
  return Promise.resolve({ ok: false, status, message });
}
