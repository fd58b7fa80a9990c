/**
 * The process guards of `retain serve` in a real process: an error that escapes a request's
 * handler (from a timer, a stream, a promise nobody awaits) ends that request with a 500 that
 * tells nothing, and the server keeps serving; an error outside any request stops the process
 * with status 1, logged.
 */
import path from 'node:path';
import { projectPath } from '../../lib/paths';
import { tsNodeArgs } from '../support/tsChild';
import { startServerProcess, type ServerProcess } from '../../bench/hostileTraffic';

jest.setTimeout(120_000);

describe('process guards (a real server process)', () => {
  let server: ServerProcess;

  beforeAll(async () => {
    server = await startServerProcess(tsNodeArgs(path.join(__dirname, 'guardedServer.child.ts'), 'faulty'), {
      cwd: projectPath(),
      env: { ...process.env, RETAIN_LOG_LEVEL: 'info', RETAIN_TF_BACKEND: 'wasm' },
    });
  });
  afterAll(() => server?.stop());

  const say = (text: string) =>
    fetch(`${server.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        channelId: 'emulator',
        serviceUrl: 'http://127.0.0.1:9',
        conversation: { id: `c-${text}` },
        from: { id: 'u' },
        text,
      }),
    });

  it('runs with a library listener that rethrows unhandled rejections, as the real server does', () => {
    expect(server.output()).toMatch(/rejection listeners: [2-9]/);
  });

  it.each(['throw in a timer', 'throw in a stream', 'reject unawaited'])(
    'ends a request whose turn fails outside its handler (%s) with a bare 500, and keeps serving',
    async (text) => {
      const res = await say(text);
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).toBe('{"error":"internal error"}');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect((await say('hello')).status).toBe(200);
      // The detail is in the log, not in the answer.
      expect(server.output()).toMatch(/secret detail from a .*still serving|still serving.*secret detail/s);
    },
  );

  it('stops with status 1 on an error outside any request, with the error in the log', async () => {
    process.kill(server.pid, 'SIGUSR2');
    expect(await server.exited).toBe(1);
    expect(server.output()).toMatch(/an error outside any request/);
    expect(server.output()).toMatch(/outside any request: stopping/);
  });
});
