/**
 * PostgreSQL with a synchronous API, as better-sqlite3 offers SQLite: the repositories' methods are
 * synchronous, and every caller in retain relies on that. `pg` is asynchronous, so it runs in a
 * worker thread holding one connection; a call posts its request to the worker and sleeps in
 * Atomics.wait on a shared word until the answer is there. The event loop is blocked for one
 * query, exactly as it is for one SQLite statement.
 *
 * One connection per store, one statement at a time: transactions are BEGIN ... COMMIT on that
 * connection (savepoints when nested), as they are on better-sqlite3's single connection. Errors
 * come back with their SQLSTATE (PostgresError.code). A statement that runs longer than the
 * statement timeout is cancelled by the server; a worker that stops answering or dies makes every
 * later call fail at once with a BridgeError that says so.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  ANSWERED,
  GONE,
  HEARTBEAT,
  HEARTBEAT_MS,
  STATE,
  WAITING,
  type BridgeReply,
  type BridgeRequest,
  type WorkerOptions,
} from './protocol';

/** An error PostgreSQL reported, with its SQLSTATE (`code`), as `pg` reports it. */
export class PostgresError extends Error {
  readonly code: string | undefined;
  readonly detail: string | undefined;
  readonly constraint: string | undefined;
  readonly table: string | undefined;
  constructor(e: { message: string; code?: string; detail?: string; constraint?: string; table?: string }) {
    super(e.message);
    this.name = 'PostgresError';
    this.code = e.code;
    this.detail = e.detail;
    this.constraint = e.constraint;
    this.table = e.table;
  }
}

/** The bridge itself failed: the server could not be reached, or the worker died or hung. */
export class BridgeError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'BridgeError';
  }
}

export interface BridgeOptions {
  /** How long connecting may take (default 10 s). */
  connectTimeoutMs?: number;
  /** The server cancels a statement running longer (default 120 s; SQLSTATE 57014). */
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  /** Limits the worker thread's heap, in MB (default: Node's own limit). */
  workerMemoryMb?: number;
}

export interface QueryResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unreadable URL)';
  }
}

const CURSOR_CHUNK = 5000;
// A worker whose heartbeat stood still this long is dead (or hangs); a live one beats every 100 ms.
const SILENCE_MS = 5000;

export class SyncPostgres {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private readonly callTimeoutMs: number;
  private gone: BridgeError | undefined;
  private depth = 0;
  private cursors = 0;

  constructor(
    readonly url: string,
    options: BridgeOptions = {},
  ) {
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const statementTimeoutMs = options.statementTimeoutMs ?? 120_000;
    // The server's own timeout comes first; the bridge's is for a worker that no longer answers.
    this.callTimeoutMs = connectTimeoutMs + statementTimeoutMs + 5_000;
    const channel = new MessageChannel();
    this.port = channel.port1;
    const workerData: WorkerOptions & { port: MessagePort; state: SharedArrayBuffer } & Record<
        string,
        unknown
      > = {
      url,
      connectTimeoutMs,
      statementTimeoutMs,
      applicationName: options.applicationName ?? 'retain',
      resolveFrom: __filename,
      port: channel.port2,
      state: this.state.buffer as SharedArrayBuffer,
    };
    this.worker = startWorker(workerData, [channel.port2], options.workerMemoryMb);
    // A worker must not keep a process alive that forgot to close its store.
    this.worker.unref();
    this.worker.on('error', (err) => this.markGone(`the PostgreSQL bridge thread failed: ${err.message}`));
    this.worker.on('exit', () => this.markGone('the PostgreSQL bridge thread stopped'));
    const reply = this.call({ op: 'connect' }, connectTimeoutMs + 5_000);
    if (!reply.ok) {
      this.close();
      throw new BridgeError(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${reply.error.message}`);
    }
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** One statement with $1, $2... parameters. `prepare`: keep it prepared (repeated statements). */
  query(text: string, values: unknown[] = [], prepare = true): QueryResult {
    const reply = this.call(
      { op: 'query', text, values, prepare, inTransaction: this.depth > 0 },
      this.callTimeoutMs,
    );
    if (!reply.ok) throw new PostgresError(reply.error);
    for (const column of reply.bytea) {
      // Buffers cross the thread as plain Uint8Arrays.
      for (const row of reply.rows) {
        const v = row[column];
        if (v instanceof Uint8Array) row[column] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
      }
    }
    return { rows: reply.rows, rowCount: reply.rowCount };
  }

  /** Statements without parameters (DDL, several separated by semicolons). */
  exec(text: string): void {
    const reply = this.call({ op: 'exec', text }, this.callTimeoutMs);
    if (!reply.ok) throw new PostgresError(reply.error);
  }

  /**
   * Rows of a query in chunks through a server-side cursor, so a large result is never held whole.
   * WITH HOLD: it needs no open transaction and survives the caller's own commits.
   */
  *iterate(text: string, values: unknown[] = []): Generator<Record<string, unknown>> {
    const name = `retain_cursor_${++this.cursors}`;
    this.query(`DECLARE ${name} NO SCROLL CURSOR WITH HOLD FOR ${text}`, values, false);
    try {
      for (;;) {
        const { rows } = this.query(`FETCH ${CURSOR_CHUNK} FROM ${name}`, [], false);
        yield* rows;
        if (rows.length < CURSOR_CHUNK) return;
      }
    } finally {
      if (!this.gone) {
        try {
          this.exec(`CLOSE ${name}`);
        } catch {
          // The cursor went with a rolled-back transaction.
        }
      }
    }
  }

  /**
   * Runs `fn` in a transaction (a savepoint when one is open): committed when it returns, rolled
   * back when it throws. Like better-sqlite3's, `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T {
    const depth = this.depth;
    this.exec(depth === 0 ? 'BEGIN' : `SAVEPOINT retain_sp${depth}`);
    this.depth = depth + 1;
    let result: T;
    try {
      result = fn();
      if (result instanceof Promise) throw new TypeError('a transaction function cannot return a promise');
    } catch (err) {
      this.depth = depth;
      this.undo(depth);
      throw err;
    }
    this.depth = depth;
    if (depth === 0) this.commitOrThrow();
    else this.exec(`RELEASE SAVEPOINT retain_sp${depth}`);
    return result;
  }

  /** A transaction held open across asynchronous work (an import); not nested. */
  begin(): void {
    if (this.depth > 0) throw new BridgeError('cannot start a transaction within a transaction');
    this.exec('BEGIN');
    this.depth = 1;
  }

  commit(): void {
    this.depth = 0;
    this.commitOrThrow();
  }

  rollback(): void {
    if (this.depth === 0) return;
    this.depth = 0;
    this.undo(0);
  }

  close(): void {
    if (!this.gone) {
      try {
        this.call({ op: 'close' }, 5_000);
      } catch {
        // Closing anyway.
      }
    }
    this.markGone('the PostgreSQL store is closed');
    this.port.close();
    void this.worker.terminate();
  }

  private commitOrThrow(): void {
    // COMMIT of a transaction in which a statement failed answers ROLLBACK, not an error.
    const reply = this.call(
      { op: 'query', text: 'COMMIT', values: [], prepare: false, inTransaction: true },
      this.callTimeoutMs,
    );
    if (!reply.ok) throw new PostgresError(reply.error);
    if (reply.command === 'ROLLBACK')
      throw new PostgresError({
        message: 'the transaction was rolled back: a statement in it had failed',
        code: '25P02',
      });
  }

  private undo(depth: number): void {
    if (this.gone) return;
    try {
      this.exec(
        depth === 0
          ? 'ROLLBACK'
          : `ROLLBACK TO SAVEPOINT retain_sp${depth}; RELEASE SAVEPOINT retain_sp${depth}`,
      );
    } catch {
      // The error that got us here is the one to report.
    }
  }

  private markGone(message: string): void {
    this.gone ??= new BridgeError(message);
  }

  private call(request: BridgeRequest, timeoutMs: number): BridgeReply {
    if (this.gone) throw this.gone;
    Atomics.store(this.state, STATE, WAITING);
    this.port.postMessage(request);
    const deadline = Date.now() + timeoutMs;
    let beat = Atomics.load(this.state, HEARTBEAT);
    let beatAt = Date.now();
    for (;;) {
      const now = Date.now();
      if (now >= deadline)
        return this.fail(`PostgreSQL gave no answer within ${timeoutMs} ms; the connection is closed`);
      Atomics.wait(this.state, STATE, WAITING, Math.min(deadline - now, 10 * HEARTBEAT_MS));
      const state = Atomics.load(this.state, STATE);
      if (state === ANSWERED) break;
      if (state === GONE) return this.fail('the PostgreSQL bridge thread stopped');
      const current = Atomics.load(this.state, HEARTBEAT);
      if (current !== beat) [beat, beatAt] = [current, Date.now()];
      else if (Date.now() - beatAt > SILENCE_MS)
        return this.fail(`the PostgreSQL bridge thread died (no sign of life for ${SILENCE_MS} ms)`);
    }
    const message = receiveMessageOnPort(this.port);
    if (!message) return this.fail('the PostgreSQL bridge thread answered nothing');
    return message.message as BridgeReply;
  }

  private fail(message: string): never {
    this.markGone(message);
    void this.worker.terminate();
    throw this.gone as BridgeError;
  }
}

/**
 * The worker runs compiled (dist/) where the build put it. Run from the TypeScript sources (the
 * tests, through ts-jest), its modules are compiled here once per process with the project's
 * TypeScript and handed to the worker, which loads them through a require hook.
 */
function startWorker(
  workerData: Record<string, unknown>,
  transferList: MessagePort[],
  memoryMb: number | undefined,
): Worker {
  const resourceLimits = memoryMb ? { maxOldGenerationSizeMb: memoryMb } : undefined;
  const compiled = path.join(__dirname, 'bridgeWorker.js');
  if (fs.existsSync(compiled)) return new Worker(compiled, { workerData, transferList, resourceLimits });
  const bootstrap = `
    const { workerData } = require('node:worker_threads');
    require.extensions['.ts'] = (module, filename) => module._compile(workerData.sources[filename], filename);
    require(${JSON.stringify(path.join(__dirname, 'bridgeWorker.ts'))});`;
  return new Worker(bootstrap, {
    eval: true,
    workerData: { ...workerData, sources: workerSources() },
    transferList,
    resourceLimits,
  });
}

let sources: Record<string, string> | undefined;

function workerSources(): Record<string, string> {
  if (sources) return sources;
  const ts = createRequire(__filename)('typescript') as typeof import('typescript');
  sources = {};
  for (const name of ['bridgeWorker.ts', 'protocol.ts']) {
    const file = path.join(__dirname, name);
    sources[file] = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    }).outputText;
  }
  return sources;
}
