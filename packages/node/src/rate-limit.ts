import { createFifo } from './fifo.js'

/**
 * A sliding-window limiter: at most `limit` requests in any `windowMs`. The
 * client asks it before each attempt and waits instead of collecting 429s.
 */
export interface RateLimiter {
  /** Milliseconds until the next request may start (0: now). */
  wait(now: number): number
  /** Records a request started at `now`. */
  record(now: number): void
}

export const createRateLimiter = ({ limit, windowMs: documented }: { limit: number; windowMs: number }): RateLimiter => {
  // The provider counts a request when it arrives, a little after we start it:
  // a margin of 1% (at least 50 ms) keeps our window from closing before theirs.
  const windowMs = documented + Math.max(50, documented / 100)
  const starts = createFifo<number>()
  const expire = (now: number): void => {
    while (starts.size > 0 && (starts.peek() as number) <= now - windowMs) starts.shift()
  }
  return {
    wait(now) {
      expire(now)
      return starts.size < limit ? 0 : (starts.peek() as number) + windowMs - now
    },
    record(now) {
      starts.push(now)
    },
  }
}
