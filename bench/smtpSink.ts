/**
 * bench:email's relay: an SMTP server in its own process (so that it does not share the sender's
 * event loop) that accepts every message, reads it to the end and notes when it arrived. The
 * parent learns the port from the first IPC message and asks for the arrival times with 'times'.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const arrivals: number[] = [];
let bytes = 0;
const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  // Room for the sender's pool and the unthrottled baseline's.
  maxClients: 64,
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => (bytes += chunk.length));
    stream.on('end', () => {
      // Absolute milliseconds, comparable with the parent's clock.
      arrivals.push(performance.timeOrigin + performance.now());
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.server.address() as AddressInfo).port });
});

process.on('message', (message: string) => {
  if (message === 'times') {
    process.send!({ arrivals: arrivals.splice(0), bytes });
    bytes = 0;
  } else if (message === 'stop') server.close(() => process.exit(0));
});
