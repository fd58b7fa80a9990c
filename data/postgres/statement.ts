/**
 * Prepared statements over the synchronous bridge with better-sqlite3's calling conventions, so a
 * PostgreSQL repository reads like its SQLite twin: SQL written with `@name` (bound from one object)
 * or `?` (bound from the arguments, in order) placeholders, and `run` / `get` / `all` / `iterate`.
 */
import type { SyncPostgres } from './bridge';

export interface RunResult {
  /** Rows inserted, updated or deleted (better-sqlite3's `changes`). */
  changes: number;
}

type Params = unknown[];

/**
 * `@name` and `?` placeholders rewritten as $1, $2...; text in quotes and comments is left alone.
 * `count`: how many positional values the statement takes (`?`s, or the highest `$n` written as such).
 */
export function placeholders(sql: string): { text: string; names: string[] | null; count: number } {
  const names: string[] = [];
  let positional = 0;
  let highestDollar = 0;
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = closingQuote(sql, i, c);
      out += sql.slice(i, end);
      i = end;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '@' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i + 1))!;
      let index = names.indexOf(m[0]);
      if (index === -1) index = names.push(m[0]) - 1;
      out += `$${index + 1}`;
      i += 1 + m[0].length;
    } else if (c === '?') {
      out += `$${++positional}`;
      i++;
    } else if (c === '$' && /[0-9]/.test(sql[i + 1] ?? '')) {
      const m = /^[0-9]+/.exec(sql.slice(i + 1))!;
      highestDollar = Math.max(highestDollar, Number(m[0]));
      out += `$${m[0]}`;
      i += 1 + m[0].length;
    } else {
      out += c;
      i++;
    }
  }
  if (names.length && positional)
    throw new Error('a statement uses either @name or ? placeholders, not both');
  return { text: out, names: names.length ? names : null, count: Math.max(positional, highestDollar) };
}

function closingQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

export class PgStatement<Row = Record<string, unknown>> {
  private readonly text: string;
  private readonly names: string[] | null;
  private readonly count: number;

  constructor(
    private readonly pg: SyncPostgres,
    sql: string,
  ) {
    const p = placeholders(sql);
    this.text = p.text;
    this.names = p.names;
    this.count = p.count;
  }

  run(...params: Params): RunResult {
    return { changes: this.pg.query(this.text, this.bind(params)).rowCount };
  }

  get(...params: Params): Row | undefined {
    return this.pg.query(this.text, this.bind(params)).rows[0] as Row | undefined;
  }

  all(...params: Params): Row[] {
    return this.pg.query(this.text, this.bind(params)).rows as Row[];
  }

  iterate(...params: Params): IterableIterator<Row> {
    return this.pg.iterate(this.text, this.bind(params)) as IterableIterator<Row>;
  }

  private bind(params: Params): unknown[] {
    // A statement without placeholders ignores what it is given, as better-sqlite3's does.
    if (!this.names) return this.count === 0 ? [] : params.map(nullIfUndefined);
    const values = params[0];
    if (params.length !== 1 || typeof values !== 'object' || values === null)
      throw new TypeError('this statement takes one object of named parameters');
    const named = values as Record<string, unknown>;
    return this.names.map((name) => {
      if (!(name in named)) throw new RangeError(`missing named parameter "${name}"`);
      return nullIfUndefined(named[name]);
    });
  }
}

const nullIfUndefined = (v: unknown) => (v === undefined ? null : v);

/** What PostgreSQL repositories are built on: statements and transactions of one connection. */
export class PgDb {
  constructor(readonly pg: SyncPostgres) {}

  prepare<Row = Record<string, unknown>>(sql: string): PgStatement<Row> {
    return new PgStatement<Row>(this.pg, sql);
  }

  /** Like better-sqlite3's `db.transaction(fn)()`: committed when `fn` returns, rolled back when it throws. */
  transaction<T>(fn: () => T): T {
    return this.pg.transaction(fn);
  }

  exec(sql: string): void {
    this.pg.exec(sql);
  }
}
