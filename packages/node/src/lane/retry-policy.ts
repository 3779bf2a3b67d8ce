import { retryDelay, type BackoffOptions } from '@idstitch/core/internal'

/** When a failed request is tried again. */
export interface RetryPolicy {
  /**
   * How long to wait before retry number `retry` (1 for the first), given the
   * server's `Retry-After` in ms when it sent one; `undefined` for no more retries.
   */
  delay(retry: number, retryAfterMs: number | undefined): number | undefined
}

/** Never again: what a queue worker composes, whose retries are BullMQ's own (they survive restarts). */
export const noRetries: RetryPolicy = { delay: () => undefined }

/**
 * Up to `retryLimit` retries, each after the server's `Retry-After` or a
 * backoff with jitter (`backoff` may also be a function of the retry number,
 * as tests and the benchmarks use).
 */
export const createRetryPolicy = (options: { retryLimit: number; backoff: BackoffOptions | ((retry: number) => number); random: () => number }): RetryPolicy => {
  const { retryLimit, backoff, random } = options
  return {
    delay(retry, retryAfterMs) {
      if (retry > retryLimit) return undefined
      return typeof backoff === 'function' ? (retryAfterMs ?? Math.max(0, backoff(retry))) : retryDelay(retry, retryAfterMs, backoff, random())
    },
  }
}
