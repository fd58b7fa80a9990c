/**
 * Who is a marketer. Everyone the bot talks to is a customer unless a rule here matches them:
 * a channel user ("msteams:29:1a2b..."), a Teams/Entra object id, an email address or a whole
 * email domain ("example-shop.com").
 *
 * A rule only matches on what a channel vouches for: object ids and email addresses come from
 * Microsoft Teams only (the activity's aadObjectId, and the Teams roster's sign-in name), so such
 * rules never match a person on another channel, whatever their client claims. A rule that no
 * channel can ever satisfy is refused when it is added.
 */
import type { Db } from '../db';
import type { PortableDb } from '../portableDb';
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

/** The channels that vouch for what each kind of rule matches on ('any': every channel). */
export const RULE_CHANNELS: Record<MarketerMatchKind, readonly string[] | 'any'> = {
  channel_user: 'any',
  aad_object: ['msteams'],
  email: ['msteams'],
  email_domain: ['msteams'],
};

/**
 * Bot Framework channel ids (botbuilder's Channels): a channel-user rule for any other channel
 * (e.g. "teams:..." for "msteams:...") can never match.
 */
export const KNOWN_CHANNELS: readonly string[] = [
  'alexa',
  'console',
  'directline',
  'directlinespeech',
  'email',
  'emulator',
  'facebook',
  'groupme',
  'kik',
  'line',
  'm365extensions',
  'msteams',
  'omnichannel',
  'outlook',
  'skype',
  'skypeforbusiness',
  'slack',
  'sms',
  'telegram',
  'telephony',
  'test',
  'twilio-sms',
  'webchat',
];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class MarketerRuleError extends Error {
  readonly exitCode = 2;
}

/** Why a rule could never match anybody (null: it can). */
export function unmatchableRule(kind: MarketerMatchKind, value: string): string | null {
  const v = value.trim();
  const channels = RULE_CHANNELS[kind];
  if (channels !== 'any' && channels.length === 0)
    return `no channel retain can be reached on vouches for a ${kind}`;
  if (kind === 'channel_user') {
    const channel = v.slice(0, Math.max(0, v.indexOf(':'))).toLowerCase();
    if (!KNOWN_CHANNELS.includes(channel))
      return `'${channel}' is not a channel retain can be reached on (${KNOWN_CHANNELS.join(', ')}); Teams is 'msteams'`;
  }
  if (kind === 'aad_object' && !GUID.test(v))
    return `'${v}' is not a Microsoft Entra object id (a GUID such as 6f0a2c1e-0000-4000-8000-000000000001)`;
  return null;
}

/** For people adding rules: where a rule of this kind can match at all. */
export function ruleScope(kind: MarketerMatchKind): string {
  const channels = RULE_CHANNELS[kind];
  return channels === 'any'
    ? 'on its own channel'
    : `only to people on ${channels.map((c) => (c === 'msteams' ? 'Microsoft Teams' : c)).join(', ')}`;
}

/** What the bot knows about the person behind an activity. */
export interface ChatPerson {
  channelId: string;
  channelUserId: string;
  /** The Entra object id; only believed on channels that vouch for it (Teams). */
  aadObjectId?: string | null;
  /** A verified email (on Teams, the roster's sign-in name); only believed from such channels. */
  email?: string | null;
}

/** What the rest of retain sees of the repository (any engine's implementation). */
export type MarketerRepository = PublicApi<SqlMarketerRepository>;

/**
 * Written in SQL both engines speak (camel-case names quoted, the keys a person may lack cast where
 * PostgreSQL cannot infer their type), so the PostgreSQL store uses this class as it is.
 */
export class SqlMarketerRepository {
  private readonly addStmt;
  private readonly removeStmt;
  private readonly listStmt;
  private readonly matchStmt;
  private readonly emailRulesStmt;

  constructor(db: PortableDb) {
    this.addStmt = db.prepare(`
      INSERT INTO marketers (match_kind, value, note, added_at, added_by) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (match_kind, value) DO NOTHING`);
    this.removeStmt = db.prepare(`DELETE FROM marketers WHERE match_kind = ? AND value = ?`);
    this.listStmt = db.prepare(`
      SELECT id, match_kind AS kind, value, note, added_at AS "addedAt", added_by AS "addedBy"
        FROM marketers ORDER BY match_kind, value`);
    this.matchStmt = db.prepare(`
      SELECT 1 FROM marketers
       WHERE (match_kind = 'channel_user' AND value = CAST(@channelUser AS TEXT))
          OR (match_kind = 'aad_object' AND value = CAST(@aadObject AS TEXT))
          OR (match_kind = 'email' AND value = CAST(@email AS TEXT))
          OR (match_kind = 'email_domain' AND value = CAST(@emailDomain AS TEXT))
       LIMIT 1`);
    this.emailRulesStmt = db.prepare(
      `SELECT 1 FROM marketers WHERE match_kind IN ('email', 'email_domain') LIMIT 1`,
    );
  }

  /** Returns false when the same rule already existed; throws MarketerRuleError for a rule that can never match. */
  add(
    kind: MarketerMatchKind,
    value: string,
    note: string | null,
    addedBy: string | null,
    at = new Date(),
  ): boolean {
    const why = unmatchableRule(kind, value);
    if (why) throw new MarketerRuleError(`this rule could never match anybody: ${why}`);
    return this.addStmt.run(kind, normaliseRule(kind, value), note, at.toISOString(), addedBy).changes === 1;
  }

  /** Returns false when there was no such rule. */
  remove(kind: MarketerMatchKind, value: string): boolean {
    return this.removeStmt.run(kind, normaliseRule(kind, value)).changes === 1;
  }

  list(): MarketerRule[] {
    return this.listStmt.all() as MarketerRule[];
  }

  /** Whether any rule needs a verified email (so the bot only asks Teams for one when it matters). */
  hasEmailRules(): boolean {
    return this.emailRulesStmt.get() !== undefined;
  }

  isMarketer(person: ChatPerson): boolean {
    return this.matchStmt.get(ruleKeys(person)) !== undefined;
  }
}

export class SqliteMarketerRepository extends SqlMarketerRepository {
  constructor(db: Db) {
    super(db);
  }
}

/** What a person can be matched on: only what their channel vouches for (null otherwise). */
export function ruleKeys(person: ChatPerson): {
  channelUser: string;
  aadObject: string | null;
  email: string | null;
  emailDomain: string | null;
} {
  const vouched = (kind: MarketerMatchKind) => {
    const channels = RULE_CHANNELS[kind];
    return channels === 'any' || channels.includes(person.channelId.trim().toLowerCase());
  };
  const email = person.email && vouched('email') ? person.email.trim().toLowerCase() : null;
  return {
    channelUser: channelUserKey(person.channelId, person.channelUserId),
    aadObject: person.aadObjectId && vouched('aad_object') ? person.aadObjectId.toLowerCase() : null,
    email,
    emailDomain: email && email.includes('@') ? email.slice(email.lastIndexOf('@') + 1) : null,
  };
}

/** How a channel user is written in rules: "<channel>:<user id>". */
export function channelUserKey(channelId: string, channelUserId: string): string {
  return `${channelId.trim().toLowerCase()}:${channelUserId.trim()}`;
}

export function normaliseRule(kind: MarketerMatchKind, value: string): string {
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
