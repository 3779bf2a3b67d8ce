import type { Provider, ProviderRequest, ProviderResponse } from '@idstitch/core'
import type { Redactor } from '../redact.js'
import type { Transport } from '../transport.js'
import { answered, unanswered, unreadable, type Reader } from './answer.js'
import type { Flight } from './flight.js'
import type { Outcome } from './job.js'

/** What an attempt is sent with. */
export interface AttemptOptions {
  transport: Transport
  timeoutMs: number
  /** The most bytes of an answer's body a transport reads (default 1 MiB). */
  maxResponseBytes?: number | undefined
  now: () => number
  /** Errors and bodies may echo a key back: they pass through it. */
  redact: Pick<Redactor, 'text' | 'value' | 'error'>
}

/** Sends one attempt of a flight's request, and calls `landed` once with its outcome, whatever happens. */
export type SendAttempt = (request: ProviderRequest, flight: Flight, landed: (flight: Flight, outcome: Outcome) => void) => void

/** How one attempt is bounded (see `boundsOf`). */
interface AttemptBounds {
  remaining: number
  byDeadline: boolean
  backstop: { controller: AbortController; timer: ReturnType<typeof setTimeout> } | undefined
}

/**
 * A transport that is not `bounded` (one an app wrote) may not end an attempt
 * by itself: the lane aborts it at the deadline or at this many times
 * `timeoutMs`, through an AbortSignal. Both built-in transports are bounded,
 * and carry no signal: in Node, one per request costs about a third of a
 * keep-alive request's CPU (see bench/).
 */
const BACKSTOP_FACTOR = 2

/** An AbortController aborted after `ms`: the lane's backstop for a transport that is not bounded. */
const abortAfter = (ms: number): { controller: AbortController; timer: ReturnType<typeof setTimeout> } => {
  const controller = new AbortController()
  return { controller, timer: setTimeout(() => controller.abort(), ms) }
}

/**
 * One provider's attempts: each sends a request through the transport, bounded by
 * `timeoutMs` and the flight's deadline, and reads the answer through the adapter
 * into an `Outcome` (final, or worth retrying: see answer.ts).
 */
export const createAttempts = (provider: Provider, options: AttemptOptions): SendAttempt => {
  const reader: Reader = { provider, redact: options.redact, timeoutMs: options.timeoutMs }

  /** How an attempt is bounded: by the deadline when it comes before `timeoutMs`, and by a backstop timer for a transport that is not bounded. */
  const boundsOf = (flight: Flight): AttemptBounds => {
    const remaining = flight.deadline.at - options.now()
    const byDeadline = remaining <= options.timeoutMs * (options.transport.bounded ? 1 : BACKSTOP_FACTOR)
    const backstop = options.transport.bounded ? undefined : abortAfter(byDeadline ? remaining : options.timeoutMs * BACKSTOP_FACTOR)
    return { remaining, byDeadline, backstop }
  }

  /** Sends through the transport; one that throws instead of rejecting fails the attempt, never the caller. */
  const sendThrough = (request: ProviderRequest, bounds: AttemptBounds): Promise<ProviderResponse> => {
    const limits = { timeoutMs: options.timeoutMs, deadlineMs: bounds.remaining, maxResponseBytes: options.maxResponseBytes, ...(bounds.backstop ? { signal: bounds.backstop.controller.signal } : {}) }
    try {
      return options.transport.send(request, limits)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  // Plain callbacks on the transport's promise rather than an `async` function, which would add two promise hops to every request.
  return (request, flight, landed) => {
    const bounds = boundsOf(flight)
    sendThrough(request, bounds).then(
      (response) => {
        if (bounds.backstop) clearTimeout(bounds.backstop.timer)
        let outcome: Outcome
        try {
          outcome = answered(reader, response, flight)
        } catch (error) {
          outcome = unreadable(reader, error, response, flight)
        }
        landed(flight, outcome)
      },
      (error: unknown) => {
        if (bounds.backstop) clearTimeout(bounds.backstop.timer)
        landed(flight, unanswered(reader, error, flight, { aborted: bounds.backstop?.controller.signal.aborted, byDeadline: bounds.byDeadline }))
      },
    )
  }
}
