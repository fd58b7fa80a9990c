import path from 'node:path';
import { ConversationState, TestAdapter } from 'botbuilder';
import { openStore, type Store } from '../../data/store';
import { SqliteStorage } from '../../bot/sqliteStorage';
import { tempDir } from '../support/files';

describe('bot state stored in SQLite', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let storage: SqliteStorage;
  beforeEach(() => {
    tmp = tempDir();
    store = openStore(path.join(tmp.dir, 'retain.db'));
    storage = new SqliteStorage(store.botState);
  });
  afterEach(() => {
    store.close();
    tmp.cleanup();
  });

  it('reads back what was written, with a fresh eTag per write', async () => {
    await storage.write({ a: { step: 1, nested: { x: [1, 2] } } });
    const first = await storage.read(['a', 'missing']);
    expect(Object.keys(first)).toEqual(['a']);
    expect(first.a).toMatchObject({ step: 1, nested: { x: [1, 2] } });
    await storage.write({ a: { ...first.a, step: 2 } });
    const second = await storage.read(['a']);
    expect(second.a.step).toBe(2);
    expect(second.a.eTag).not.toBe(first.a.eTag);
  });

  it('refuses a write based on a stale read (eTag conflict) and writes nothing of the batch', async () => {
    await storage.write({ a: { n: 1 }, b: { n: 1 } });
    const read = await storage.read(['a', 'b']);
    await storage.write({ a: { ...read.a, n: 2 } }); // someone else wrote in between
    await expect(storage.write({ b: { ...read.b, n: 3 }, a: { ...read.a, n: 3 } })).rejects.toThrow(
      /eTag conflict/,
    );
    const now = await storage.read(['a', 'b']);
    expect([now.a.n, now.b.n]).toEqual([2, 1]);
    // '*' means "whatever is there".
    await storage.write({ a: { n: 4, eTag: '*' } });
    expect((await storage.read(['a'])).a.n).toBe(4);
  });

  it('deletes', async () => {
    await storage.write({ a: { n: 1 }, b: { n: 1 } });
    await storage.delete(['a']);
    expect(Object.keys(await storage.read(['a', 'b']))).toEqual(['b']);
  });

  it('keeps conversation state across a restart (a new connection to the same file)', async () => {
    const file = path.join(tmp.dir, 'restart.db');
    /** A bot that counts the messages of its conversation, as one server process would. */
    const startProcess = () => {
      const conn = openStore(file);
      const state = new ConversationState(new SqliteStorage(conn.botState));
      const counter = state.createProperty<number>('count');
      const adapter = new TestAdapter(async (context) => {
        const n = ((await counter.get(context, 0)) ?? 0) + 1;
        await counter.set(context, n);
        await context.sendActivity(`message ${n}`);
        await state.saveChanges(context);
      });
      return { adapter, stop: () => conn.close() };
    };
    const first = startProcess();
    await first.adapter.send('hi').assertReply('message 1').send('again').assertReply('message 2');
    first.stop();
    const second = startProcess();
    await second.adapter.send('back').assertReply('message 3');
    second.stop();
  });
});
