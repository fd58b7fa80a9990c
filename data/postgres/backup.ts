/**
 * `retain db backup` for a PostgreSQL store: PostgreSQL's own pg_dump, in its custom format (one
 * consistent snapshot while the bots keep writing; restore with pg_restore). The dump is written
 * next to the target, listed back with pg_restore to check it is whole, and only then renamed into
 * place, so a failed backup never leaves a half file behind. The password travels in the
 * environment (PGPASSWORD), not on a command line other users could read.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { redactUrl } from './bridge';

export interface PgDumpResult {
  file: string;
  bytes: number;
  /** Entries (tables, indexes, data...) pg_restore lists in the dump. */
  entries: number;
}

export class PgDumpError extends Error {
  readonly exitCode = 2;
}

export async function pgDump(url: string, target: string): Promise<PgDumpResult> {
  const partial = `${target}.partial`;
  fs.rmSync(partial, { force: true });
  const u = new URL(url);
  const env = { ...process.env };
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = '';
  try {
    await run('pg_dump', ['--format=custom', `--file=${partial}`, `--dbname=${u.toString()}`], env, url);
    const listing = await run('pg_restore', ['--list', partial], env, url);
    const entries = listing.split('\n').filter((line) => /^\d+;/.test(line)).length;
    if (entries === 0) throw new PgDumpError(`pg_restore lists nothing in the dump of ${redactUrl(url)}`);
    fs.renameSync(partial, target);
    return { file: target, bytes: fs.statSync(target).size, entries };
  } finally {
    fs.rmSync(partial, { force: true });
  }
}

function run(program: string, args: string[], env: NodeJS.ProcessEnv, url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(
        new PgDumpError(
          err.code === 'ENOENT'
            ? `${program} is not installed: it comes with PostgreSQL's client programs (Debian: apt-get install postgresql-client)`
            : `${program} could not start: ${err.message}`,
        ),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new PgDumpError(`${program} failed for ${redactUrl(url)}: ${stderr.trim() || `exit code ${code}`}`),
        );
    });
  });
}
