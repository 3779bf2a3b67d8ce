/**
 * The retry policy, as pure functions: which responses are worth another
 * attempt, and how long to wait before it.
 */

/** Network errors, 408, 429 and 5xx are retried; every other 4xx is final. */
export const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500

/**
 * Reads a `Retry-After` header (seconds, or an HTTP date) as milliseconds from
 * `now`; `undefined` when absent or unreadable.
 *
 * @example
 * parseRetryAfter('2', Date.now()) // 2000
 */
export const parseRetryAfter = (value: string | null | undefined, now: number): number | undefined => {
  if (value == null || value.trim() === '') return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/** How retries back off. */
export interface BackoffOptions {
  /** The first delay's upper bound in ms; each later one doubles. */
  baseMs: number
  /** No delay is longer than this. */
  maxMs: number
  /** A server's `Retry-After` is honoured up to this many ms. */
  maxRetryAfterMs: number
}

/**
 * The delay before retry number `retry` (1 for the first retry): a server's
 * `Retry-After` when it gave one (capped), otherwise exponential backoff with
 * jitter: between half and all of `baseMs * 2^(retry-1)`, capped at `maxMs` (`random` is in [0, 1)).
 */
export const retryDelay = (retry: number, retryAfterMs: number | undefined, policy: BackoffOptions, random: number): number => {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs)
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1))
  return Math.round(ceiling / 2 + (ceiling / 2) * random)
}
