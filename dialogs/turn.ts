/**
 * What the bot layer knows about the current turn, handed to the dialogs through the turn state:
 * who is talking (and in which role) and what the language model made of the message. Dialogs
 * read it here instead of understanding the message a second time.
 */
import type { TurnContext } from 'botbuilder';
import type { ChatIdentity } from '../data/repositories/chatIdentities';
import type { Understanding } from '../nlp/nlu';

export type Role = 'marketer' | 'customer';

export interface TurnInfo {
  role: Role;
  /** Unknown when the identity could not be recorded (then the person is treated as a customer). */
  identity: ChatIdentity | undefined;
  understanding: Understanding;
  /** Set by the forget-me dialog: the bot deletes the stored conversation state after the turn. */
  forgotten?: { channelId: string; channelUserId: string; conversationIds: string[] }[];
}

const TURN_INFO = Symbol('retain.turnInfo');

export function setTurnInfo(context: TurnContext, info: TurnInfo): void {
  context.turnState.set(TURN_INFO, info);
}

export function hasTurnInfo(context: TurnContext): boolean {
  return context.turnState.get(TURN_INFO) !== undefined;
}

export function turnInfo(context: TurnContext): TurnInfo {
  const info = context.turnState.get(TURN_INFO) as TurnInfo | undefined;
  if (!info) throw new Error('turn info missing: the bot must call setTurnInfo before running dialogs');
  return info;
}

/**
 * What the bot remembers about the person in this conversation between turns (see
 * bot/memoryMiddleware.ts). Dialogs read and change it in place; it is saved after the turn.
 */
export interface ConversationMemory {
  /** Products already recommended, so "something different" shows others. */
  recommended?: string[];
  /** The last question about figures a follow-up can refer to ("and in France?", "export that"). */
  lastQuestion?: unknown;
  /** The last fixed report asked for (its intent and entities), for "and in France?" and "why?". */
  lastReport?: unknown;
}

const MEMORY = Symbol('retain.memory');

export function setMemory(context: TurnContext, memory: ConversationMemory): void {
  context.turnState.set(MEMORY, memory);
}

/** The person's memory; a throwaway one where no middleware loads it (it is then not kept). */
export function memoryOf(context: TurnContext): ConversationMemory {
  let memory = context.turnState.get(MEMORY) as ConversationMemory | undefined;
  if (!memory) setMemory(context, (memory = {}));
  return memory;
}

/** Longest client address accepted (an IPv6 address with a zone id fits easily). */
const MAX_ADDRESS_CHARS = 64;

const CLIENT_ADDRESS = Symbol('retain.clientAddress');

/**
 * Set by the local Direct Line endpoint (bot/directLine) for the turns it runs in process: the
 * address the request came from, as the server saw it. Nothing a client sends can set it.
 */
export function setClientAddress(context: TurnContext, address: string): void {
  context.turnState.set(CLIENT_ADDRESS, address);
}

/**
 * The network address of the person's client, when this server saw the request itself (the
 * local web chat). Channels relayed by Azure Bot Service do not tell it; then there is none.
 */
export function clientAddress(context: TurnContext): string | null {
  const address: unknown = context.turnState.get(CLIENT_ADDRESS);
  if (typeof address !== 'string') return null;
  const trimmed = address.trim();
  return trimmed && trimmed.length <= MAX_ADDRESS_CHARS ? trimmed : null;
}
