/** What the synchronous bridge (bridge.ts) and its worker thread (bridgeWorker.ts) say to each other. */

/**
 * The shared words: [STATE] is what the caller sleeps on (WAITING until the worker answers);
 * [HEARTBEAT] is counted up by the worker every HEARTBEAT_MS while it lives, so a caller can tell
 * a slow answer from a thread that died without saying so (killed at its memory limit).
 */
export const STATE = 0;
export const HEARTBEAT = 1;
export const HEARTBEAT_MS = 100;

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
