/**
 * The conversations of the local Direct Line endpoint, in memory: who the user is (fixed when the
 * token is issued, never taken from the client), the token that may read and write the
 * conversation, and the activities in order, numbered by watermark.
 *
 * Memory is bounded, in count and in bytes (each activity measured as JSON when stored):
 * conversations end when their token expires (unless refreshed); when the store holds too many
 * conversations, or too many bytes, the least recently active conversations (holding activities,
 * for bytes) make room; and a long or bulky conversation keeps only its latest activities. A restart forgets everything, as a
 * Direct Line conversation would expire.
 */
import crypto from 'node:crypto';
import type { Activity } from 'botbuilder';

export interface DirectLineUser {
  id: string;
  name: string;
}

export interface StoredConversation {
  readonly id: string;
  readonly user: DirectLineUser;
  /** sha256 of the token that opens it (the token itself is not kept). */
  readonly tokenHash: string;
  /** Whether the client has opened it (the bot has been told the user joined). */
  started: boolean;
  expiresAt: number;
  lastActiveAt: number;
  /** Watermark of the first activity still kept; earlier ones were dropped. */
  offset: number;
  readonly activities: Partial<Activity>[];
  /** Size of each kept activity as JSON, in the same order, and their sum. */
  readonly sizes: number[];
  bytes: number;
}

export interface ConversationStoreOptions {
  /** Seconds a token lives unless refreshed (Direct Line uses 1800). */
  tokenLifetimeSeconds?: number;
  maxConversations?: number;
  maxActivitiesPerConversation?: number;
  /** All conversations together, in bytes of JSON (RETAIN_WEBCHAT_MAX_MEMORY_MB). */
  maxBytes?: number;
  /** One conversation, in bytes of JSON: its oldest activities are dropped beyond it. */
  maxBytesPerConversation?: number;
  now?: () => number;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
/** About a dozen report cards with their chart images (80 KB each), or a long chat. */
const DEFAULT_MAX_BYTES_PER_CONVERSATION = 1024 * 1024;

export interface IssuedToken {
  conversationId: string;
  token: string;
  expiresIn: number;
}

/** 256 random bits, URL-safe: neither a token nor a conversation id can be guessed. */
const randomId = () => crypto.randomBytes(32).toString('base64url');
const hashToken = (token: string) => crypto.createHash('sha256').update(token).digest('base64url');

export class ConversationStore {
  private readonly conversations = new Map<string, StoredConversation>();
  /** sha256(token) → conversation id; only hashes are kept, and looked up by hash. */
  private readonly tokens = new Map<string, string>();
  private readonly lifetimeMs: number;
  private readonly maxConversations: number;
  private readonly maxActivities: number;
  private readonly maxBytes: number;
  private readonly maxBytesPerConversation: number;
  private readonly now: () => number;
  private totalBytes = 0;

  constructor(options: ConversationStoreOptions = {}) {
    this.lifetimeMs = (options.tokenLifetimeSeconds ?? 1800) * 1000;
    this.maxConversations = options.maxConversations ?? 1000;
    this.maxActivities = options.maxActivitiesPerConversation ?? 500;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.maxBytesPerConversation = Math.min(
      options.maxBytesPerConversation ?? DEFAULT_MAX_BYTES_PER_CONVERSATION,
      this.maxBytes,
    );
    this.now = options.now ?? Date.now;
  }

  /** A new conversation for this user, and the one token that opens it. */
  issue(user: DirectLineUser): IssuedToken {
    this.sweep();
    while (this.conversations.size >= this.maxConversations) {
      // Map order is least recently active first (touch() re-inserts).
      const oldest = this.conversations.keys().next().value as string;
      this.remove(oldest);
    }
    const now = this.now();
    const token = randomId();
    const conversation: StoredConversation = {
      id: randomId(),
      user: { ...user },
      tokenHash: hashToken(token),
      started: false,
      expiresAt: now + this.lifetimeMs,
      lastActiveAt: now,
      offset: 0,
      activities: [],
      sizes: [],
      bytes: 0,
    };
    this.conversations.set(conversation.id, conversation);
    this.tokens.set(conversation.tokenHash, conversation.id);
    return { conversationId: conversation.id, token, expiresIn: this.lifetimeMs / 1000 };
  }

  /** The conversation a token opens, if the token is known and not expired. */
  byToken(token: string): StoredConversation | undefined {
    const id = this.tokens.get(hashToken(token));
    const conversation = id === undefined ? undefined : this.conversations.get(id);
    if (!conversation) return undefined;
    if (conversation.expiresAt <= this.now()) {
      this.remove(conversation.id);
      return undefined;
    }
    return conversation;
  }

  byId(id: string): StoredConversation | undefined {
    const conversation = this.conversations.get(id);
    if (conversation && conversation.expiresAt <= this.now()) {
      this.remove(id);
      return undefined;
    }
    return conversation;
  }

  /** Extends the token's life (Web Chat refreshes every 15 minutes); returns seconds left. */
  refresh(conversation: StoredConversation): number {
    conversation.expiresAt = this.now() + this.lifetimeMs;
    this.touch(conversation);
    return this.lifetimeMs / 1000;
  }

  /**
   * Appends an activity, giving it its id (unless it replaces an earlier one, whose id it keeps)
   * and timestamp; returns the stored copy.
   */
  append(
    conversation: StoredConversation,
    activity: Partial<Activity>,
    replacesId?: string,
  ): Partial<Activity> {
    const watermark = conversation.offset + conversation.activities.length;
    const stored: Partial<Activity> = {
      ...activity,
      id: replacesId ?? `${conversation.id}|${String(watermark).padStart(7, '0')}`,
      timestamp: new Date(this.now()),
    };
    // Ended (expired or evicted) while the bot was answering: nobody can read it any more.
    if (this.conversations.get(conversation.id) !== conversation) return stored;
    const size = Buffer.byteLength(JSON.stringify(stored));
    conversation.activities.push(stored);
    conversation.sizes.push(size);
    conversation.bytes += size;
    this.totalBytes += size;
    let excess = Math.max(0, conversation.activities.length - this.maxActivities);
    let bytes = conversation.bytes - conversation.sizes.slice(0, excess).reduce((sum, n) => sum + n, 0);
    // The newest activity always stays: the client has not seen it yet.
    while (bytes > this.maxBytesPerConversation && excess < conversation.activities.length - 1) {
      bytes -= conversation.sizes[excess++];
    }
    if (excess > 0) this.dropOldest(conversation, excess);
    this.touch(conversation);
    if (this.totalBytes > this.maxBytes) this.makeRoom(conversation);
    return stored;
  }

  /** Activities after the watermark (the client's last seen position), and the new watermark. */
  since(
    conversation: StoredConversation,
    watermark: number,
  ): { activities: Partial<Activity>[]; watermark: string } {
    const start = Math.max(0, watermark - conversation.offset);
    const activities = conversation.activities.slice(start);
    return { activities, watermark: String(conversation.offset + conversation.activities.length) };
  }

  /** Finds a stored activity by id (the bot may update or delete what it sent). */
  indexOf(conversation: StoredConversation, activityId: string): number {
    return conversation.activities.findIndex((a) => a.id === activityId);
  }

  get size(): number {
    return this.conversations.size;
  }

  /** What all conversations hold, in bytes of JSON. */
  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Ends the least recently active conversations that hold activities (an empty one frees
   * nothing) until all fit again; never the one just written to.
   */
  private makeRoom(keep: StoredConversation): void {
    for (const conversation of [...this.conversations.values()]) {
      if (this.totalBytes <= this.maxBytes) return;
      if (conversation !== keep && conversation.bytes > 0) this.remove(conversation.id);
    }
  }

  private dropOldest(conversation: StoredConversation, count: number): void {
    conversation.activities.splice(0, count);
    const dropped = conversation.sizes.splice(0, count).reduce((sum, n) => sum + n, 0);
    conversation.bytes -= dropped;
    this.totalBytes -= dropped;
    conversation.offset += count;
  }

  private touch(conversation: StoredConversation): void {
    conversation.lastActiveAt = this.now();
    this.conversations.delete(conversation.id);
    this.conversations.set(conversation.id, conversation);
  }

  private remove(id: string): void {
    const conversation = this.conversations.get(id);
    if (!conversation) return;
    this.conversations.delete(id);
    this.tokens.delete(conversation.tokenHash);
    this.totalBytes -= conversation.bytes;
  }

  private sweep(): void {
    const now = this.now();
    for (const conversation of [...this.conversations.values()]) {
      if (conversation.expiresAt <= now) this.remove(conversation.id);
    }
  }
}
