import { openStore, type Store } from '../../data/store';
import { type NewOutboxMessage } from '../../data/repositories/outbox';
import { tempDir } from '../support/files';
import { customerId, importOrderSpecs } from '../jobs/shop';
import { describeEachEngine } from '../support/engines';

const T0 = new Date('2026-03-02T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describeEachEngine('outbox repository', (engine) => {
  const tmp = tempDir();
  let n = 0;
  let file: string;
  let store: Store;
  let cid: number;
  afterAll(() => tmp.cleanup());
  beforeEach(async () => {
    file = engine.location('outbox');
    n++;
    store = openStore(file);
    await importOrderSpecs(store, tmp.dir, [{ order: `o${n}`, customer: 'c1', at: '2026-01-05 10:00' }]);
    cid = customerId(store, 'c1');
  });
  afterEach(() => store.close());

  const message = (key: string, notBefore?: Date): NewOutboxMessage => ({
    dedupeKey: key,
    campaignId: null,
    customerId: cid,
    conversationReferenceId: null,
    kind: 'winback',
    payload: { text: key },
    notBefore,
  });

  it('keeps one message per dedupe key, whatever is queued again', () => {
    const outbox = store.outbox;
    expect(outbox.enqueue(message('k1'), T0)).toBe(true);
    expect(outbox.enqueue({ ...message('k1'), payload: { text: 'changed' } }, at(5))).toBe(false);
    expect(outbox.list()).toHaveLength(1);
    expect(outbox.byDedupeKey('k1')!.payload).toEqual({ text: 'k1' });
  });

  it('claims each due message exactly once, across two connections, in due order', () => {
    const a = store.outbox;
    const other = openStore(file);
    try {
      const b = other.outbox;
      for (let i = 0; i < 20; i++) a.enqueue(message(`m${i}`, i === 0 ? at(3600) : undefined), at(i));
      const claimed: number[] = [];
      for (let i = 0; i < 30; i++) {
        const m = (i % 2 ? a : b).claimNext(at(60));
        if (m) claimed.push(m.id);
      }
      expect(claimed).toHaveLength(19); // m0 is not due before an hour from T0
      expect(new Set(claimed).size).toBe(19);
      expect(claimed).toEqual([...claimed].sort((x, y) => x - y));
      expect(a.claimNext(at(3600))!.dedupeKey).toBe('m0');
      expect(a.countsByStatus()).toMatchObject({ queued: 0, sending: 20 });
    } finally {
      other.close();
    }
  });

  it('moves through its states only from the state each step expects', () => {
    const outbox = store.outbox;
    outbox.enqueue(message('s1'), T0);
    const m = outbox.claimNext(T0)!;
    outbox.recordAttempt(m.id, T0);
    outbox.requeue(m.id, at(30), '503 busy', T0);
    expect(outbox.get(m.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      nextAttemptAt: at(30).toISOString(),
      lastError: '503 busy',
    });
    expect(outbox.markSent(m.id, 'x', at(1))).toBe(false); // not claimed: cannot be sent
    expect(outbox.claimNext(at(10))).toBeUndefined();
    outbox.claimNext(at(30));
    outbox.hold(m.id, 'quiet_hours', at(7200), at(30));
    expect(outbox.get(m.id)).toMatchObject({ status: 'queued', skipReason: 'quiet_hours' });
    outbox.claimNext(at(7200));
    expect(outbox.markSent(m.id, 'activity-1', at(7201))).toBe(true);
    expect(outbox.get(m.id)).toMatchObject({
      status: 'sent',
      skipReason: null,
      activityId: 'activity-1',
      sentAt: at(7201).toISOString(),
    });
    expect(outbox.markSkipped(m.id, 'opted_out', at(7300))).toBe(false); // a sent message stays sent
    expect(outbox.sentSince(cid, at(0))).toBe(1);
    expect(outbox.sentSince(cid, at(7202))).toBe(0);
  });

  it('recovers rows left in sending by a stopped sender, but not a live sender’s recent claims', () => {
    const outbox = store.outbox;
    outbox.enqueue(message('r1'), T0);
    outbox.enqueue(message('r2'), T0);
    const r1 = outbox.claimNext(T0)!;
    outbox.recordAttempt(r1.id, T0);
    const r2 = outbox.claimNext(at(50))!;
    // Lease of 30 s at T0+60: r1 (claimed 60 s ago) is orphaned, r2 (10 s ago) is in flight.
    expect(outbox.recoverSending(at(30), at(60))).toBe(1);
    expect(outbox.get(r1.id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect(outbox.get(r2.id)!.status).toBe('sending');
  });

  it('skips everything still queued for a customer at once (opt-out, forget me)', () => {
    const outbox = store.outbox;
    outbox.enqueue(message('p1'), T0);
    outbox.enqueue(message('p2'), T0);
    outbox.enqueue(message('p3'), T0);
    const sent = outbox.claimNext(T0)!;
    outbox.markSent(sent.id, null, T0);
    expect(outbox.recentOrPending(cid, at(-1))).toBe(3);
    expect(outbox.skipPendingFor(cid, 'opted_out', at(1))).toBe(2);
    expect(outbox.countsByStatus()).toMatchObject({ sent: 1, skipped: 2, queued: 0 });
    expect(outbox.list({ status: 'skipped' }).map((m) => m.skipReason)).toEqual(['opted_out', 'opted_out']);
  });
});
