import { z } from 'zod';

/**
 * The minimum an incoming activity must carry for the bot to answer it. The SDK would otherwise
 * fail deep inside a turn and answer 200; a sender with a broken client deserves a 400 that says why.
 */
/** Longer messages are refused: no chat message needs more, and models should not chew on megabytes. */
export const MAX_TEXT_CHARS = 5000;

const account = z.object({ id: z.string().min(1) }).passthrough();

const activitySchema = z
  .object({
    type: z.string().min(1),
    channelId: z.string().min(1),
    serviceUrl: z.string().url(),
    conversation: account,
    from: account,
    recipient: account.optional(),
    text: z
      .string()
      .max(MAX_TEXT_CHARS, { message: `is longer than ${MAX_TEXT_CHARS} characters` })
      .optional(),
  })
  .passthrough();

export function describeInvalidActivity(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return 'the body must be a Bot Framework activity (a JSON object)';
  }
  const result = activitySchema.safeParse(body);
  if (result.success) return undefined;
  return result.error.issues.map((i) => `${i.path.join('.') || 'activity'}: ${i.message}`).join('; ');
}
