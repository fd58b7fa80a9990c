/** What the synchronous bridge (bridge.ts) and its worker thread (bridgeWorker.ts) say to each other. */

/** Values of the shared state word: the caller sleeps while it is WAITING. */
export const WAITING = 0;
export const ANSWERED = 1;
export const GONE = 2;

export interface WorkerOptions {
  url: string;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  applicationName: string;
  /** A file the worker resolves the `pg` package from. */
  resolveFrom: string;
}

export type BridgeRequest =
  | { op: 'connect' }
  /** One statement with parameters ($1, $2...); `prepare`: keep it prepared on the connection. */
  | { op: 'query'; text: string; values: unknown[]; prepare: boolean; inTransaction: boolean }
  /** Statements without parameters (DDL, BEGIN/COMMIT), in the simple protocol. */
  | { op: 'exec'; text: string }
  | { op: 'close' };

export interface WireError {
  message: string;
  /** SQLSTATE, e.g. 23505 for a unique violation, 57014 for a cancelled (timed out) statement. */
  code?: string;
  detail?: string;
  constraint?: string;
  table?: string;
}

export type BridgeReply =
  | { ok: true; rows: Record<string, unknown>[]; rowCount: number; command: string; bytea: string[] }
  | { ok: false; error: WireError };
