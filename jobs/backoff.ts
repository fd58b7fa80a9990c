/**
 * Retry delays: exponential backoff with jitter, never shorter than the channel's Retry-After.
 * Jitter ("equal jitter": half fixed, half random) spreads retries so that a burst of failures
 * does not come back as a burst.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function backoffDelay(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number,
  retryAfterMs?: number | null,
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exp / 2 + (exp / 2) * random();
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date (null when absent or unreadable). */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
