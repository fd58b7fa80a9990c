/**
 * Tables a marketer exported, as CSV files behind unguessable links, for channels that open files
 * by URL (Teams and Slack through RETAIN_PUBLIC_URL). An id is 128 random bits: the link is the
 * permission, like a shared-document link, so files expire (a day by default) and are deleted.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface ExportStoreOptions {
  dir: string;
  /** Hours a link works; default 24. */
  keepHours?: number;
}

const ID = /^[0-9a-f]{32}$/;

export class ExportStore {
  private readonly keepMs: number;

  constructor(private readonly options: ExportStoreOptions) {
    this.keepMs = (options.keepHours ?? 24) * 3_600_000;
    fs.mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.prune();
  }

  /** Keeps the file and returns its id. */
  add(csv: string): string {
    this.prune();
    const id = crypto.randomBytes(16).toString('hex');
    const file = this.file(id);
    fs.writeFileSync(`${file}.tmp`, csv, { mode: 0o600 });
    fs.renameSync(`${file}.tmp`, file);
    return id;
  }

  /** The file's text, or undefined when the id is unknown, malformed or expired. */
  read(id: string): string | undefined {
    if (!ID.test(id)) return undefined;
    const file = this.file(id);
    try {
      if (Date.now() - fs.statSync(file).mtimeMs > this.keepMs) {
        fs.rmSync(file, { force: true });
        return undefined;
      }
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }

  private file(id: string): string {
    return path.join(this.options.dir, `${id}.csv`);
  }

  private prune(): void {
    const cutoff = Date.now() - this.keepMs;
    for (const name of fs.readdirSync(this.options.dir)) {
      const file = path.join(this.options.dir, name);
      try {
        if (fs.statSync(file).mtimeMs < cutoff) fs.rmSync(file, { force: true });
      } catch {
        // Deleted meanwhile by another prune: nothing to do.
      }
    }
  }
}

export function exportUrl(publicBaseUrl: string, id: string, name: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/exports/${id}/${encodeURIComponent(name)}`;
}
