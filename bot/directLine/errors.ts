import type restify from 'restify';

/** Direct Line's error shape: `{ error: { code, message } }`, with a stable code and a readable message. */
export function directLineError(res: restify.Response, status: number, code: string, message: string): void {
  res.send(status, { error: { code, message } });
}
