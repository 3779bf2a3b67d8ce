import type { ProviderRequest } from '@idstitch/core'
import type { Deadline, Delivery, Job, Outcome } from './job.js'
import type { RetryPolicy } from './retry-policy.js'

/** One request on its way: the jobs it carries, and its attempts so far. */
export interface Flight {
  jobs: Job[]
  /** Built on its first attempt; then the next request of its chain once one is accepted. */
  request?: ProviderRequest
  /** The request's place in its chain (0 for the first). */
  step: number
  /** What the accepted requests of the chain answered, in order. */
  answers: unknown[]
  /** The soonest deadline of its jobs. */
  deadline: Deadline
  /** The least time left for which an attempt is started. */
  room: number
  /** Attempts of every request of the chain (reported), and of the current one (bounded by the retry policy). */
  attempts: number
  tries: number
  last?: Delivery
}

/** The least time left before a deadline for which an attempt is started (a tenth of a shorter deadline). */
const MIN_ATTEMPT_MS = 10

/** A flight for `jobs`: the soonest deadline of a batch ends the shared request. */
export const board = (jobs: Job[]): Flight => {
  const deadline = jobs.reduce((first, job) => (job.deadline.at < first.at ? job.deadline : first), (jobs[0] as Job).deadline)
  // With less time left than `room`, an attempt could not finish: it is not started. It would reach the
  // provider (which may act on it) only to be aborted and reported failed. This also covers timers,
  // which fire up to a few ms before Date.now() reaches their aim.
  return { jobs, deadline, room: Math.min(MIN_ATTEMPT_MS, deadline.ms / 10), step: 0, answers: [], attempts: 0, tries: 0 }
}

/** The last moment an attempt of `flight` may start. */
export const lastStart = (flight: Flight): number => flight.deadline.at - flight.room

/** An attempt of `flight` starts: it counts for the chain and for its current request. */
export const depart = (flight: Flight): void => {
  flight.attempts++
  flight.tries++
}

/** What comes after an attempt: the chain's next request, the end, or a retry after `delayMs`. */
export type Landing = { next: 'advance' } | { next: 'finish'; delivery: Delivery } | { next: 'retry'; delayMs: number }

/**
 * Lands `flight` after an attempt: on to its chain's next request (a fresh
 * count of tries), finished, or to be retried by `retry`'s delay. A retry
 * that could not start before the flight's last start is not worth waiting
 * for; with the provider `refusing`, nothing is retried.
 */
export const land = (flight: Flight, outcome: Outcome, context: { now: number; retry: RetryPolicy; refusing: boolean }): Landing => {
  const { delivery } = outcome
  const next = delivery.status === 'delivered' ? flight.request?.next : undefined
  if (next) {
    flight.answers.push(delivery.data)
    flight.request = next
    flight.step++
    flight.tries = 0
    flight.last = undefined
    return { next: 'advance' }
  }
  // A chain's answer is every request's, in order.
  if (flight.step > 0 && delivery.status === 'delivered') delivery.data = [...flight.answers, delivery.data]
  flight.last = delivery
  const retryAfter = delivery.status === 'failed' && !outcome.final ? outcome.retryAfterMs : undefined
  if (retryAfter !== undefined) delivery.retryAfterMs = retryAfter
  if (outcome.final || context.refusing) return { next: 'finish', delivery }
  const delayMs = context.retry.delay(flight.tries, retryAfter)
  if (delayMs === undefined || context.now + delayMs > lastStart(flight)) return { next: 'finish', delivery }
  return { next: 'retry', delayMs }
}
