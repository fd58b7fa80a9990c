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

/** Longest client address accepted (an IPv6 address with a zone id fits easily). */
const MAX_ADDRESS_CHARS = 64;

/**
 * The network address of the person's client, when the channel tells it: the local Direct Line
 * endpoint stamps it on every activity it forwards (channelData.clientAddress, set by the server,
 * never taken from the client). Other channels do not; then there is none.
 */
export function clientAddress(context: TurnContext): string | null {
  const data = context.activity.channelData as { clientAddress?: unknown } | undefined;
  const address = data?.clientAddress;
  if (typeof address !== 'string') return null;
  const trimmed = address.trim();
  return trimmed && trimmed.length <= MAX_ADDRESS_CHARS ? trimmed : null;
}
