/**
 * botbuilder Storage on the SQLite database, so conversation and user state survive a restart.
 * Same semantics as the SDK's MemoryStorage: an item written with the eTag it was read with
 * succeeds only if nobody wrote in between; no eTag or '*' writes unconditionally.
 */
import { randomUUID } from 'node:crypto';
import type { Storage, StoreItems } from 'botbuilder';
import type { BotStateRepository } from '../data/repositories/botState';

export class SqliteStorage implements Storage {
  constructor(private readonly repo: BotStateRepository) {}

  async read(keys: string[]): Promise<StoreItems> {
    if (!Array.isArray(keys)) throw new TypeError('Keys are required when reading.');
    const items: StoreItems = {};
    for (const row of this.repo.read(keys)) items[row.key] = { ...JSON.parse(row.valueJson), eTag: row.etag };
    return items;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes || typeof changes !== 'object') throw new TypeError('Changes are required when writing.');
    const items = Object.entries(changes).map(([key, value]) => {
      const { eTag, ...rest } = (value ?? {}) as { eTag?: string; [k: string]: unknown };
      const unconditional = eTag === undefined || eTag === null || eTag === '*';
      return {
        key,
        etag: randomUUID(),
        valueJson: JSON.stringify(rest),
        expectedEtag: unconditional ? undefined : String(eTag),
      };
    });
    const { conflict } = this.repo.writeAll(items);
    if (conflict) throw new Error(`Storage: error writing "${conflict}" due to eTag conflict.`);
  }

  async delete(keys: string[]): Promise<void> {
    if (!Array.isArray(keys)) throw new TypeError('Keys are required when deleting.');
    this.repo.delete(keys);
  }
}
