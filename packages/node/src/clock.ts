/** How far `Date.now()` has stepped back in all, added to it so {@link steadyNow} never goes back. */
let behind = 0
/** The last time {@link steadyNow} gave. */
let last = 0

/**
 * Milliseconds that pass as `Date.now()`'s do, but never go back. The wall clock can step back (NTP correcting
 * it, a VM resumed, someone setting the time): a rate limiter's window, a Retry-After pause or a circuit
 * breaker's cooldown measured with it would then last the step too, and an hour's step failed every identify as
 * `client_rate_limited` for that hour. Deadlines, rate limits and pauses are measured with this; what is a date
 * (a message's timestamp, a link's age, an HTTP date) keeps the wall clock. One clock for the process: a deadline
 * made by the pipeline is compared with the delivery lane's time.
 */
export const steadyNow = (): number => {
  const now = Date.now() + behind
  if (now >= last) return (last = now)
  behind += last - now
  return last
}
