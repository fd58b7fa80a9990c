/**
 * Reading an import file: a CSV file, plain or gzip-compressed (recognised by its content), as a
 * stream of records with their line numbers, and the errors that concern the file as a whole.
 * Shared by the order and the customer import, which both run in one transaction and write
 * nothing when this fails.
 */
import fs from 'node:fs';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { HeaderError } from './formats';
import { isValidTimeZone } from '../../lib/timeZone';

export interface RowProblem {
  line: number;
  reason: string;
}

/** A problem with the file as a whole: nothing was written. */
export class ImportError extends Error {
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly errors: RowProblem[] = [],
  ) {
    super(message);
  }
}

/**
 * Calls `onRecord` for every record, header first, with the line it starts on; `onBytes` as the
 * (possibly compressed) file is read. Whatever `onRecord` throws ends the reading and is rethrown
 * as is; the file's own faults become an ImportError that names the file.
 */
export async function readCsvRecords(
  file: string,
  onRecord: (record: string[], line: number) => void,
  onBytes?: (bytesRead: number) => void,
): Promise<void> {
  statReadable(file);
  const compressed = await isGzip(file);
  let stoppedBy: unknown;
  try {
    const source = fs.createReadStream(file);
    let bytesRead = 0;
    source.on('data', (chunk) => {
      bytesRead += chunk.length;
      onBytes?.(bytesRead);
    });
    // Line numbers are counted here rather than with csv-parse's `info` option, which costs
    // a third of the parsing time: each record takes one line plus the newlines inside its fields.
    const parser = parse({ relax_column_count: true, bom: true });
    let nextLine = 1;
    const consume = async function (records: AsyncIterable<string[]>) {
      try {
        for await (const record of records) {
          const line = nextLine;
          nextLine += 1 + embeddedNewlines(record);
          onRecord(record, line);
        }
      } catch (err) {
        // pipeline() may surface its own AbortError instead of the reason it stopped; keep ours.
        stoppedBy = err;
        throw err;
      }
    };
    if (compressed) await pipeline(source, zlib.createGunzip(), parser, consume);
    else await pipeline(source, parser, consume);
  } catch (err) {
    throw describeFailure(stoppedBy ?? err, file, compressed);
  }
}

function embeddedNewlines(record: string[]): number {
  let n = 0;
  for (const field of record) {
    for (let i = field.indexOf('\n'); i !== -1; i = field.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/** The file's size; an ImportError when it cannot be read. */
export function statReadable(file: string): number {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) throw new ImportError(`${file} is not a file`);
    fs.accessSync(file, fs.constants.R_OK);
    return stat.size;
  } catch (err) {
    if (err instanceof ImportError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImportError(`cannot read ${file}: no such file`);
    if (code === 'EACCES') throw new ImportError(`cannot read ${file}: permission denied`);
    throw new ImportError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** Compression is recognised by content (gzip magic bytes), not by the file name. */
async function isGzip(file: string): Promise<boolean> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function describeFailure(err: unknown, file: string, compressed: boolean): Error {
  if (err instanceof ImportError) return err;
  if (err instanceof HeaderError) return new ImportError(`${file}: ${err.message}`);
  const e = err as NodeJS.ErrnoException;
  if (
    compressed &&
    (e.code === 'Z_BUF_ERROR' || e.code === 'Z_DATA_ERROR' || /unexpected end/i.test(e.message))
  ) {
    return new ImportError(`${file} is truncated or not valid gzip (${e.message}); nothing was imported`);
  }
  if (e.code && String(e.code).startsWith('CSV_')) {
    return new ImportError(`${file} is not valid CSV (${e.message}); nothing was imported`);
  }
  return new ImportError(`import of ${file} failed: ${e.message}; nothing was imported`);
}

/** isValidTimeZone, remembered per zone: a file repeats the same few zones on every row. */
export function timeZoneValidator(): (tz: string) => boolean {
  const cache = new Map<string, boolean>();
  return (tz) => {
    let ok = cache.get(tz);
    if (ok === undefined) cache.set(tz, (ok = isValidTimeZone(tz)));
    return ok;
  };
}
