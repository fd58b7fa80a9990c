/**
 * Who is a marketer. Everyone the bot talks to is a customer unless a rule here matches them:
 * a channel user ("msteams:29:1a2b..."), a Teams/Entra object id, an email address or a whole
 * email domain ("example-shop.com").
 */
import type { Db } from '../db';
import type { PublicApi } from '../publicApi';

export type MarketerMatchKind = 'channel_user' | 'aad_object' | 'email_domain' | 'email';

export interface MarketerRule {
  id: number;
  kind: MarketerMatchKind;
  value: string;
  note: string | null;
  addedAt: string;
  addedBy: string | null;
}

/** What the bot knows about the person behind an activity. */
export interface ChatPerson {
  channelId: string;
  channelUserId: string;
  aadObjectId?: string | null;
  email?: string | null;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type MarketerRepository = PublicApi<SqliteMarketerRepository>;

export class SqliteMarketerRepository {
  private readonly addStmt;
  private readonly removeStmt;
  private readonly listStmt;
  private readonly matchStmt;

  constructor(db: Db) {
    this.addStmt = db.prepare(`
      INSERT INTO marketers (match_kind, value, note, added_at, added_by) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (match_kind, value) DO NOTHING`);
    this.removeStmt = db.prepare(`DELETE FROM marketers WHERE match_kind = ? AND value = ?`);
    this.listStmt = db.prepare(`
      SELECT id, match_kind AS kind, value, note, added_at AS addedAt, added_by AS addedBy
        FROM marketers ORDER BY match_kind, value`);
    this.matchStmt = db.prepare(`
      SELECT 1 FROM marketers
       WHERE (match_kind = 'channel_user' AND value = @channelUser)
          OR (match_kind = 'aad_object' AND value = @aadObject)
          OR (match_kind = 'email' AND value = @email)
          OR (match_kind = 'email_domain' AND value = @emailDomain)
       LIMIT 1`);
  }

  /** Returns false when the same rule already existed. */
  add(
    kind: MarketerMatchKind,
    value: string,
    note: string | null,
    addedBy: string | null,
    at = new Date(),
  ): boolean {
    return this.addStmt.run(kind, normalise(kind, value), note, at.toISOString(), addedBy).changes === 1;
  }

  /** Returns false when there was no such rule. */
  remove(kind: MarketerMatchKind, value: string): boolean {
    return this.removeStmt.run(kind, normalise(kind, value)).changes === 1;
  }

  list(): MarketerRule[] {
    return this.listStmt.all() as MarketerRule[];
  }

  isMarketer(person: ChatPerson): boolean {
    const email = person.email ? person.email.trim().toLowerCase() : null;
    return (
      this.matchStmt.get({
        channelUser: channelUserKey(person.channelId, person.channelUserId),
        aadObject: person.aadObjectId ? person.aadObjectId.toLowerCase() : null,
        email,
        emailDomain: email && email.includes('@') ? email.slice(email.lastIndexOf('@') + 1) : null,
      }) !== undefined
    );
  }
}

/** How a channel user is written in rules: "<channel>:<user id>". */
export function channelUserKey(channelId: string, channelUserId: string): string {
  return `${channelId.trim().toLowerCase()}:${channelUserId.trim()}`;
}

function normalise(kind: MarketerMatchKind, value: string): string {
  const v = value.trim();
  switch (kind) {
    case 'channel_user': {
      const i = v.indexOf(':');
      return channelUserKey(v.slice(0, i), v.slice(i + 1));
    }
    case 'email_domain':
      return v.toLowerCase().replace(/^@/, '');
    default:
      return v.toLowerCase();
  }
}
