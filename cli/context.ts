/**
 * What every command shares: configuration, the --db option, opening and closing the
 * database, and printing results. Commands stay small and never write SQL.
 */
import type { Command } from 'commander';
import { loadConfig, loadDotEnv, type Config } from '../lib/config';
import { resolveUserPath } from '../lib/paths';
import { configuredStoreLocation, isPostgresUrl, openStore, redactUrl, type Store } from '../data/store';
import { composeApp, type App } from '../services/app';

/** An error meant for the person at the terminal: printed without a stack, with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface DbOption {
  db?: string;
}

/** Adds the --db option that every command takes. */
export function withDbOption(cmd: Command): Command {
  return cmd.option(
    '--db <file>',
    'SQLite database file, or a postgres:// URL (default: RETAIN_DATABASE_URL, else RETAIN_DB or var/retain.db)',
  );
}

let cachedConfig: Config | undefined;
export function config(): Config {
  if (!cachedConfig) {
    loadDotEnv();
    cachedConfig = loadConfig();
  }
  return cachedConfig;
}

/** Where the command's store is: --db (a file or a postgres:// URL), else the configured one. */
export function databaseLocation(opts: DbOption): string {
  if (opts.db) return isPostgresUrl(opts.db) ? opts.db : resolveUserPath(opts.db);
  return configuredStoreLocation(config());
}

/** The location as it may be printed: a URL without its password. */
export function printableLocation(location: string): string {
  return isPostgresUrl(location) ? redactUrl(location) : location;
}

/**
 * Opens the database for one command and always closes it, even when the command throws.
 * Commands that only read pass `mustExist`, so a mistyped --db is an error, not a new empty file.
 */
export async function withDatabase<T>(
  opts: DbOption,
  fn: (store: Store) => Promise<T> | T,
  options: { mustExist?: boolean } = {},
): Promise<T> {
  const store = openStore(databaseLocation(opts), { mustExist: options.mustExist });
  try {
    return await fn(store);
  } finally {
    store.close();
  }
}

/**
 * The application on an existing database, as the bot composes it, for commands that answer what
 * the chat answers (reports, campaigns): the same services, so the same figures.
 */
export async function withApp<T>(opts: DbOption, fn: (app: App) => Promise<T> | T): Promise<T> {
  return withDatabase(opts, async (store) => fn(await composeApp(store, config())), { mustExist: true });
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Parses a number option, rejecting garbage with a clear message. */
export function parseNumberOption(name: string, min?: number, max?: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || (min !== undefined && n < min) || (max !== undefined && n > max)) {
      const range = min !== undefined && max !== undefined ? ` between ${min} and ${max}` : '';
      throw new CliError(`--${name} must be a number${range}, got '${raw}'`, 2);
    }
    return n;
  };
}

/** Parses a YYYY-MM-DD (or full ISO) date option into a Date at UTC midnight. */
export function parseDateOption(name: string) {
  return (raw: string): Date => {
    const m = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00.000Z`) : new Date(raw);
    if (Number.isNaN(m.getTime()))
      throw new CliError(`--${name} must be a date like 2011-04-01, got '${raw}'`, 2);
    return m;
  };
}
