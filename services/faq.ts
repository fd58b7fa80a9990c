/**
 * Answers to customers' questions about returns, refunds and delivery come from a file the shop
 * edits (RETAIN_FAQ_FILE, JSON), not from code: policies change more often than releases.
 */
import fs from 'node:fs';
import { z } from 'zod';

const faqSchema = z.object({
  entries: z
    .array(
      z.object({
        topic: z.enum(['returns', 'refunds', 'delivery', 'other']),
        question: z.string().min(1),
        answer: z.string().min(1),
        /** Words that make this entry the right one for a message. */
        keywords: z.array(z.string().min(1)).default([]),
      }),
    )
    .min(1),
});

export type FaqEntry = z.infer<typeof faqSchema>['entries'][number];
export type FaqTopic = FaqEntry['topic'];

export class FaqError extends Error {}

export function readFaq(file: string): FaqEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new FaqError(`cannot read the FAQ file ${file}: ${(err as Error).message}`);
  }
  const parsed = faqSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new FaqError(`the FAQ file ${file} is not valid: ${issues}`);
  }
  return parsed.data.entries;
}

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/**
 * The entries that answer a message, best first: among the topics the intent allows, entries
 * whose keywords occur in the message; when none match, the topic's entries in file order.
 */
export function answerFaq(entries: FaqEntry[], topics: FaqTopic[], text: string, max = 2): FaqEntry[] {
  const said = new Set(words(text));
  const candidates = entries.filter((e) => topics.includes(e.topic));
  const scored = candidates
    .map((e, order) => ({
      e,
      order,
      hits: e.keywords.filter((k) => words(k).every((w) => said.has(w))).length,
    }))
    .sort((a, b) => b.hits - a.hits || a.order - b.order);
  const matched = scored.filter((s) => s.hits > 0);
  return (matched.length ? matched : scored).slice(0, max).map((s) => s.e);
}
