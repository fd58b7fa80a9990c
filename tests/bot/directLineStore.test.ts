/** Bounds of the in-memory Direct Line conversations: expiry, refresh, eviction, long conversations. */
import { ConversationStore } from '../../bot/directLine/conversationStore';

describe('Direct Line conversation store', () => {
  const user = { id: 'dl_u', name: 'U' };

  it('forgets a conversation when its token expires, unless refreshed', () => {
    let now = 0;
    const store = new ConversationStore({ tokenLifetimeSeconds: 60, now: () => now });
    const a = store.issue(user);
    const b = store.issue(user);
    now = 50_000;
    store.refresh(store.byToken(b.token)!);
    now = 61_000;
    expect(store.byToken(a.token)).toBeUndefined();
    expect(store.byId(a.conversationId)).toBeUndefined();
    expect(store.byToken(b.token)?.id).toBe(b.conversationId);
  });

  it('makes room by dropping the least recently active conversation', () => {
    let now = 0;
    const store = new ConversationStore({ maxConversations: 2, now: () => now });
    const a = store.issue(user);
    const b = store.issue(user);
    now = 1;
    store.append(store.byToken(a.token)!, { type: 'message', text: 'still here' });
    const c = store.issue(user);
    expect(store.size).toBe(2);
    expect(store.byToken(b.token)).toBeUndefined();
    expect(store.byToken(a.token)).toBeDefined();
    expect(store.byToken(c.token)).toBeDefined();
  });

  it('keeps only the latest activities of a long conversation, with watermarks that keep counting', () => {
    const store = new ConversationStore({ maxActivitiesPerConversation: 3 });
    const conversation = store.byToken(store.issue(user).token)!;
    for (let i = 0; i < 5; i++) store.append(conversation, { type: 'message', text: `m${i}` });
    expect(store.since(conversation, 0)).toMatchObject({ watermark: '5' });
    expect(store.since(conversation, 0).activities.map((a) => a.text)).toEqual(['m2', 'm3', 'm4']);
    expect(store.since(conversation, 4).activities.map((a) => a.text)).toEqual(['m4']);
    expect(store.since(conversation, 5).activities).toEqual([]);
  });

  it('issues tokens and conversation ids that differ every time and do not reveal each other', () => {
    const store = new ConversationStore();
    const issued = Array.from({ length: 50 }, () => store.issue(user));
    const values = issued.flatMap((i) => [i.token, i.conversationId]);
    expect(new Set(values).size).toBe(100);
    for (const i of issued) expect(i.token).not.toContain(i.conversationId);
    expect(issued.every((i) => /^[\w-]{43}$/.test(i.token))).toBe(true);
  });
});
