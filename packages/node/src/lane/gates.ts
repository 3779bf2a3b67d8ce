import { isRetryableStatus } from '@idstitch/core/internal'
import { createRateLimiter } from '../rate-limit.js'
import type { Outcome } from './job.js'

/** What waiting work does while a gate is shut. */
export type GateKind =
  /** Each attempt waits its turn (a rate limit): one that could not start before its deadline is refused at once. */
  | 'turn'
  /** Everything waits until the gate opens, or until its own deadline (a `Retry-After` pause). */
  | 'pause'
  /** Everything waiting is refused at once (the provider is down, or asked for a long pause). */
  | 'refuse'

/** The codes of work a gate refuses. */
export type RefusalCode = 'client_rate_limited' | 'circuit_open' | 'provider_unavailable'

/**
 * One reason not to send to a provider now. The lane asks each of its gates
 * before an attempt starts (`wait`), tells them when one starts (`pass`), and
 * shows them every attempt's outcome (`observe`).
 */
export interface Gate {
  readonly kind: GateKind
  /** The circuit breaker says so: telemetry reports its state. */
  readonly circuit?: true
  /** The circuit breaker: it opened, and no attempt has succeeded since (open, or letting one attempt through). */
  tripped?(): boolean
  /** Milliseconds from `now` until an attempt may start (0: now). */
  wait(now: number): number
  /** An attempt starts at `now`. */
  pass?(now: number): void
  /** What an attempt's outcome says of the provider. */
  observe?(outcome: Outcome, now: number): void
  /** Why work is refused here (kinds `turn` and `refuse`): its code, and a sentence for its error. */
  refusal?(now: number): { code: RefusalCode; why: string }
}

/** The provider's documented rate limit, on this side: each attempt waits its turn in a sliding window. */
export const rateLimitGate = (rateLimit: { limit: number; windowMs: number }): Gate => {
  const limiter = createRateLimiter(rateLimit)
  return {
    kind: 'turn',
    wait: (now) => limiter.wait(now),
    pass: (now) => limiter.record(now),
    refusal: () => ({
      code: 'client_rate_limited',
      why: `the provider's limit of ${rateLimit.limit} requests per ${Math.round(rateLimit.windowMs / 1000)} s is reached and no slot frees up before the deadline`,
    }),
  }
}

/** The `Retry-After` of a failed attempt that is to be retried; none for one that is final. */
const retryAfterOf = (outcome: Outcome): number | undefined => (outcome.delivery.status === 'failed' && !outcome.final ? outcome.retryAfterMs : undefined)

/** The window a `Retry-After` opens, for those that `takes` (a short one pauses, a long one refuses). */
const retryAfterWindow = (kind: GateKind, takes: (retryAfterMs: number) => boolean) => {
  let until = 0
  return {
    kind,
    wait: (now: number) => Math.max(0, until - now),
    observe(outcome: Outcome, now: number) {
      const retryAfter = retryAfterOf(outcome)
      if (retryAfter !== undefined && takes(retryAfter)) until = Math.max(until, now + retryAfter)
    },
  }
}

/** A `Retry-After` up to `maxMs` pauses every attempt until then: what waits, waits (up to its own deadline). */
export const pauseGate = (maxMs: number): Gate => retryAfterWindow('pause', (retryAfter) => retryAfter <= maxMs)

/** A `Retry-After` longer than `maxMs`: the provider is unavailable until then, and what waits fails at once. */
export const unavailableGate = (maxMs: number): Gate => {
  const window = retryAfterWindow('refuse', (retryAfter) => retryAfter > maxMs)
  return {
    ...window,
    refusal: (now) => ({
      code: 'provider_unavailable',
      why: `the provider asked to wait ${Math.ceil(window.wait(now) / 1000)} s (Retry-After), longer than maxRetryAfterMs allows`,
    }),
  }
}

/**
 * The circuit breaker: after this many attempts in a row fail (network
 * errors, timeouts, 408, 429 without `Retry-After`, 5xx), the provider is
 * taken as down. It was 10, and opened by chance: with 30 % of attempts
 * failing at random, ten in a row start at any given attempt with a chance
 * of 0.7 × 0.3^10 (1 in 240,000), but a burst of 20,000 identifies makes
 * ~28,000 attempts, so one burst in nine opened it (the second review saw 2
 * in 25), and once open, a single failure after the cooldown reopened it for
 * twice as long. Twenty in a row: 1 in 4 × 10^10 per attempt, so about once
 * in a million such bursts; a provider that is down fails twenty attempts in
 * a fraction of a second.
 */
export const BREAKER_THRESHOLD = 20
/** How long the breaker stays open the first time; it doubles each time it opens again, up to the maximum. */
const BREAKER_COOLDOWN_MS = 5_000
const BREAKER_MAX_COOLDOWN_MS = 60_000

/** Whether an attempt says the provider is failing (rather than refusing this message, or asking to wait). */
const isFailing = ({ delivery, retryAfterMs }: Outcome): boolean =>
  delivery.status === 'failed' && (delivery.httpStatus === undefined || (isRetryableStatus(delivery.httpStatus) && retryAfterMs === undefined))

/** The circuit breaker: open after `BREAKER_THRESHOLD` failing attempts in a row, then what waits fails at once. */
export const breakerGate = (): Gate => {
  let failures = 0
  let openUntil = 0
  let cooldownMs = BREAKER_COOLDOWN_MS
  let tripped = false
  return {
    kind: 'refuse',
    circuit: true,
    tripped: () => tripped,
    wait: (now) => Math.max(0, openUntil - now),
    observe(outcome, now) {
      // An attempt cut short by its identify's own deadline says nothing of the provider: it neither counts nor resets.
      if (outcome.delivery.error?.code === 'deadline_exceeded') return
      if (!isFailing(outcome)) {
        failures = 0
        cooldownMs = BREAKER_COOLDOWN_MS
        tripped = false
        return
      }
      if (++failures < BREAKER_THRESHOLD) return
      tripped = true
      openUntil = now + cooldownMs
      cooldownMs = Math.min(cooldownMs * 2, BREAKER_MAX_COOLDOWN_MS)
      // After the cooldown, one more failure opens it again (with the longer cooldown); a success closes it.
      failures = BREAKER_THRESHOLD - 1
    },
    refusal: (now) => ({
      code: 'circuit_open',
      why: `every attempt failed lately (${BREAKER_THRESHOLD} in a row); the provider gets no request for ${Math.ceil((openUntil - now) / 1000)} s`,
    }),
  }
}
