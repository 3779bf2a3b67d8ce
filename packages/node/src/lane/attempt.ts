import { HttpError, IdstitchError, NetworkError, TimeoutError, type PartialRefusal, type Provider, type ProviderRequest, type ProviderResponse } from '@idstitch/core'
import { isRetryableStatus, parseRetryAfter } from '@idstitch/core/internal'
import { alsoRedacting, type Redactor } from '../redact.js'
import type { Transport } from '../transport.js'
import { expired, type Delivery, type Outcome } from './job.js'
import type { Flight } from './flight.js'

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

/** A bug in the adapter, never the host app's failure: reported, redacted, as `adapter_failed`. */
export const adapterFailed = (provider: string, redact: AttemptOptions['redact'], error: unknown, doing: string): IdstitchError => {
  const message = error instanceof Error ? error.message : String(error)
  return new IdstitchError('adapter_failed', `[idstitch] ${provider}: adapter failed ${doing}: ${redact.text(message)}`, { provider, cause: redact.error(error) })
}

/**
 * A redirect, never followed (it would carry the key to another host), and not retried: named by the
 * origin it points to alone (its path or query could hold anything the provider put there).
 */
const redirected = (provider: string, response: ProviderResponse, sentTo: string | undefined): HttpError => {
  let origin = 'no valid Location'
  try {
    if (response.headers.location) origin = new URL(response.headers.location, sentTo).origin
  } catch {}
  return new HttpError(provider, response.status, `redirected to ${origin}, which idstitch does not follow (it would send the credentials there): point the provider's baseUrl at the right host`, { code: 'redirect_refused' })
}

/**
 * One provider's attempts: each sends a request through the transport, bounded by
 * `timeoutMs` and the flight's deadline, and reads the answer through the adapter
 * into an `Outcome` (final, or worth retrying).
 */
export const createAttempts = (provider: Provider, options: AttemptOptions): SendAttempt => {
  const { name } = provider

  /** What the provider's answer to `flight`'s attempt means, by its adapter. */
  const answered = (response: ProviderResponse, flight: Flight): Outcome => {
    const { attempts } = flight
    if (response.status >= 300 && response.status < 400) return { final: true, delivery: { status: 'failed', attempts, httpStatus: response.status, error: redirected(name, response, flight.request?.url) } }
    const outcome = provider.parse(response, flight.step)
    if (outcome.ok) return { final: true, delivery: { status: 'delivered', attempts, httpStatus: response.status, data: outcome.data } }
    const redact = alsoRedacting(options.redact, flight.request)
    const error = new HttpError(name, response.status, redact.text(outcome.message), { code: outcome.code ?? 'http_error', body: redact.value(response.body) })
    const split = outcome.partial && splitOf(outcome.partial, { code: outcome.code, error }, response, flight, redact)
    if (split) return split
    return { final: !isRetryableStatus(response.status), delivery: { status: 'failed', attempts, httpStatus: response.status, error }, retryAfterMs: parseRetryAfter(response.headers['retry-after'], options.now()) }
  }

  /**
   * A batch's answer that refused some of its items only: each refused item's own failure, for good; the
   * others accepted (delivered by this answer) or to be sent again. None for an answer that names no item
   * of the batch, or every one: that fails the whole batch.
   */
  const splitOf = (partial: PartialRefusal, batch: { code: HttpError['code'] | undefined; error: HttpError }, response: ProviderResponse, flight: Flight, redact: AttemptOptions['redact']): Outcome | undefined => {
    const refused = new Map<number, Delivery>()
    for (const { index, message } of partial.refused) {
      if (!Number.isInteger(index) || index < 0 || index >= flight.jobs.length || refused.has(index)) continue
      const error = new HttpError(name, response.status, redact.text(message), { code: batch.code ?? 'provider_rejected' })
      refused.set(index, { status: 'failed', attempts: flight.attempts, httpStatus: response.status, error })
    }
    if (refused.size === 0 || refused.size === flight.jobs.length) return undefined
    const delivery: Delivery = partial.others === 'accepted' ? { status: 'delivered', attempts: flight.attempts, httpStatus: response.status, data: redact.value(response.body) } : { status: 'failed', attempts: flight.attempts, httpStatus: response.status, error: batch.error }
    return { final: partial.others === 'accepted', delivery, split: { refused, others: partial.others } }
  }

  /** The provider answered and the adapter could not read it: it may have accepted the request, so it is not retried. */
  const unreadable = (error: unknown, response: ProviderResponse, flight: Flight): Outcome => ({
    final: true,
    delivery: { status: 'failed', attempts: flight.attempts, httpStatus: response.status, error: adapterFailed(name, options.redact, error, 'reading the answer'), maybeDelivered: true },
  })

  /** No answer came to an attempt: the provider may have accepted it. */
  const unanswered = (error: unknown, flight: Flight, bounds: AttemptBounds): Outcome => {
    const errorName = (error as { name?: unknown } | null)?.name
    if (errorName === 'ResponseTooLargeError') {
      // The provider answered, at a length no provider documents: the request may have been accepted; sending it again would read the same.
      const failure = new IdstitchError('response_too_large', `[idstitch] ${name}: ${options.redact.text((error as Error).message)} (maxResponseBytes)`, { provider: name })
      return { final: true, delivery: { status: 'failed', attempts: flight.attempts, error: failure, maybeDelivered: true } }
    }
    const aborted = bounds.backstop ? bounds.backstop.controller.signal.aborted : errorName === 'AbortError'
    if (aborted && bounds.byDeadline) return { final: true, delivery: { ...expired(name, flight.deadline, flight.attempts), maybeDelivered: true } }
    const timedOut = aborted || errorName === 'TimeoutError'
    const failure = timedOut ? new TimeoutError(name, options.timeoutMs) : new NetworkError(name, alsoRedacting(options.redact, flight.request).error(error))
    return { final: false, delivery: { status: 'failed', attempts: flight.attempts, error: failure, ...(timedOut ? { maybeDelivered: true } : {}) } }
  }

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
          outcome = answered(response, flight)
        } catch (error) {
          outcome = unreadable(error, response, flight)
        }
        landed(flight, outcome)
      },
      (error: unknown) => {
        if (bounds.backstop) clearTimeout(bounds.backstop.timer)
        landed(flight, unanswered(error, flight, bounds))
      },
    )
  }
}
