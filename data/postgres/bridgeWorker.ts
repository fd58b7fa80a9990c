/**
 * The worker thread behind the synchronous PostgreSQL bridge (bridge.ts): one `pg` connection,
 * one request at a time. The main thread posts a request and sleeps in Atomics.wait; this thread
 * answers on the port and then wakes it through the shared state word.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type * as PgModule from 'pg';
import {
  ANSWERED,
  GONE,
  HEARTBEAT,
  HEARTBEAT_MS,
  STATE,
  type BridgeReply,
  type BridgeRequest,
  type WorkerOptions,
  type WireError,
} from './protocol';

const options = workerData as WorkerOptions & { port: MessagePort; state: SharedArrayBuffer };
const state = new Int32Array(options.state);
// Resolved from the bridge's own location: a worker started from evaluated source has no file of its own.
const pg = createRequire(options.resolveFrom)('pg') as typeof PgModule;

// Results as SQLite gives them: counts and ids as numbers (bigint and numeric would be strings),
// booleans as 1 and 0 (SQLite has no boolean type; its comparisons give 1 and 0).
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));
pg.types.setTypeParser(16, (v) => (v === 't' ? 1 : 0));

let client: PgModule.Client | undefined;
let broken: Error | undefined;
const statementNames = new Map<string, string>();

async function connection(): Promise<PgModule.Client> {
  if (client && !broken) return client;
  const old = client;
  client = undefined;
  broken = undefined;
  statementNames.clear();
  await old?.end().catch(() => undefined);
  const c = new pg.Client({
    connectionString: options.url,
    connectionTimeoutMillis: options.connectTimeoutMs,
    statement_timeout: options.statementTimeoutMs,
    application_name: options.applicationName,
  });
  // A connection lost between requests is reopened on the next one (outside a transaction, the
  // caller loses nothing); inside a transaction the next request is told its work is lost.
  const lost = (err: Error) => {
    if (client === c) broken ??= err;
  };
  c.on('error', lost);
  c.on('end', () => lost(new Error('the server closed the connection')));
  await c.connect();
  client = c;
  return c;
}

async function handle(request: BridgeRequest): Promise<BridgeReply> {
  switch (request.op) {
    case 'connect': {
      const c = await connection();
      const r = await c.query('SELECT current_setting($1) AS v', ['server_version_num']);
      return { ok: true, rows: r.rows, rowCount: 1, command: 'SELECT', bytea: [] };
    }
    case 'query': {
      if (request.inTransaction && broken)
        throw Object.assign(new Error(`the connection was lost inside a transaction: ${broken.message}`), {
          code: '08006',
        });
      const c = await connection();
      let name = statementNames.get(request.text);
      if (name === undefined && request.prepare)
        statementNames.set(request.text, (name = `s${statementNames.size}`));
      const r = await c.query({ name, text: request.text, values: request.values });
      return {
        ok: true,
        rows: r.rows ?? [],
        rowCount: r.rowCount ?? 0,
        command: r.command,
        bytea: (r.fields ?? []).filter((f) => f.dataTypeID === 17).map((f) => f.name),
      };
    }
    case 'exec': {
      const c = await connection();
      await c.query(request.text);
      return { ok: true, rows: [], rowCount: 0, command: '', bytea: [] };
    }
    case 'close': {
      await client?.end().catch(() => undefined);
      client = undefined;
      return { ok: true, rows: [], rowCount: 0, command: '', bytea: [] };
    }
  }
}

function wireError(err: unknown): WireError {
  const e = err as Partial<PgModule.DatabaseError> & { message?: string; code?: string };
  return {
    message: typeof e?.message === 'string' && e.message ? e.message : String(err),
    code: typeof e?.code === 'string' ? e.code : undefined,
    detail: e?.detail,
    constraint: e?.constraint,
    table: e?.table,
  };
}

options.port.on('message', (request: BridgeRequest) => {
  handle(request)
    .catch((err): BridgeReply => {
      // Not an answer from the server (a reset socket, a closed client): the connection is not
      // to be trusted any more, and the next request opens a new one.
      if (!(err instanceof pg.DatabaseError)) broken ??= err as Error;
      return { ok: false, error: wireError(err) };
    })
    .then((reply) => {
      options.port.postMessage(reply);
      Atomics.store(state, STATE, ANSWERED);
      Atomics.notify(state, STATE);
    });
});

// An uncaught error or process.exit wakes a waiting caller at once, which then reports the bridge
// as gone; a thread killed outright (at its memory limit) stops its heartbeat instead.
process.on('exit', () => {
  Atomics.store(state, STATE, GONE);
  Atomics.notify(state, STATE);
});

setInterval(() => Atomics.add(state, HEARTBEAT, 1), HEARTBEAT_MS);
