import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Logs go to stderr so that `--json` output on stdout stays machine-readable.
 * Level comes from RETAIN_LOG_LEVEL; tests default to silent unless asked.
 */
export function createLogger(level?: string): Logger {
  const resolved = level ?? process.env.RETAIN_LOG_LEVEL ?? (process.env.JEST_WORKER_ID ? 'silent' : 'info');
  return pino({ level: resolved, base: undefined }, pino.destination(2));
}

let shared: Logger | undefined;
export function logger(): Logger {
  shared ??= createLogger();
  return shared;
}
