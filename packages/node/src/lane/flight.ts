import type { ProviderRequest } from '@idstitch/core'
import type { Deadline, Delivery, Job, Outcome } from './job.js'
import type { RetryPolicy } from './retry-policy.js'
import type { AttemptTrace } from '../telemetry.js'

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
  /** The attempt on the wire, when telemetry follows it. */
  trace?: AttemptTrace | undefined
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

/** What comes after an attempt: the chain's next request, the end, or a retry after `delayMs`; and the jobs a batch's answer refused, each with its own failure. */
export type Landing = ({ next: 'advance' } | { next: 'finish'; delivery: Delivery } | { next: 'retry'; delayMs: number }) & {
  refused?: readonly { job: Job; delivery: Delivery }[]
}

/** What a flight lands with. */
export interface LandingContext {
  now: number
  retry: RetryPolicy
  /** A gate refuses what waits: nothing is retried. */
  refusing: boolean
  /**
   * The request to send next for `items` alone, in the chain the adapter builds for them: the one after
   * `answered` (`accepted`), or `answered`'s own (`resend`); `undefined` when that chain ends there.
   */
  rebuild(items: unknown[], answered: ProviderRequest, others: 'accepted' | 'resend'): ProviderRequest | undefined
  /** The failure of jobs whose request the adapter could not build. */
  unbuildable(error: unknown, attempts: number): Delivery
}

/**
 * Lands `flight` after an attempt: on to its chain's next request (a fresh
 * count of tries), finished, or to be retried by `retry`'s delay. A retry
 * that could not start before the flight's last start is not worth waiting
 * for; with the provider `refusing`, nothing is retried. A batch's answer
 * that refused some of its items lands those apart, each with its own failure.
 */
export const land = (flight: Flight, outcome: Outcome, context: LandingContext): Landing => {
  if (!outcome.split) return landWhole(flight, outcome, context, outcome.delivery.status === 'delivered' ? flight.request?.next : undefined)
  const refused: { job: Job; delivery: Delivery }[] = []
  const kept: Job[] = []
  flight.jobs.forEach((job, index) => {
    const delivery = outcome.split?.refused.get(index)
    if (delivery) refused.push({ job, delivery })
    else kept.push(job)
  })
  flight.jobs = kept
  return { ...landKept(flight, outcome, context, outcome.split.others), refused }
}

/** The jobs a batch's answer did not refuse: sent again without the refused (`resend`), or accepted and on along the chain built for them alone. */
const landKept = (flight: Flight, outcome: Outcome, context: LandingContext, others: 'accepted' | 'resend'): Landing => {
  let request: ProviderRequest | undefined
  try {
    request = context.rebuild(
      flight.jobs.map((job) => job.item),
      flight.request as ProviderRequest,
      others,
    )
  } catch (error) {
    return { next: 'finish', delivery: context.unbuildable(error, flight.attempts) }
  }
  if (others === 'accepted') return landWhole(flight, outcome, context, request)
  if (!request) return { next: 'finish', delivery: outcome.delivery }
  flight.request = request
  flight.tries = 0
  flight.last = undefined
  return { next: 'advance' }
}

/** Lands `flight` with `outcome` for all of its jobs; `next` is the chain's next request, when this one was accepted. */
const landWhole = (flight: Flight, outcome: Outcome, context: LandingContext, next: ProviderRequest | undefined): Landing => {
  const { delivery } = outcome
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
