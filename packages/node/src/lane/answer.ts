import { HttpError, IdstitchError, NetworkError, TimeoutError, type PartialRefusal, type Provider, type ProviderRequest, type ProviderResponse } from '@idstitch/core'
import { isRetryableStatus, messageOf, parseRetryAfter, printable } from '@idstitch/core/internal'
import { alsoRedacting, type Redactor } from '../redact.js'
import type { Flight } from './flight.js'
import { expired, type Delivery, type Outcome } from './job.js'

/** What reading an answer needs: the provider's adapter, the redactor, and the attempt's timeout. */
export interface Reader {
  provider: Provider
  /** Errors and bodies may echo a key back: they pass through it. */
  redact: Pick<Redactor, 'text' | 'value' | 'error'>
  timeoutMs: number
}

/** The most of a provider's own message an error keeps: a message, not a body (the error's `body` has that). */
const MAX_WORDS = 500

/**
 * A provider's own words, as an error's message and every log line carry them: at most {@link MAX_WORDS}
 * characters, each control character shown as its escape (`\u001b`). A broken or hostile endpoint chooses
 * them, and would otherwise put a megabyte, or an escape sequence, in every line the app logs. Given them
 * redacted: a cut must not leave half a key where the redactor would not know it.
 */
const providerWords = (text: string): string => {
  const kept = text.length > MAX_WORDS ? `${text.slice(0, MAX_WORDS)}... (${text.length - MAX_WORDS} more characters)` : text
  return printable(kept)
}

/** A bug in the adapter, never the host app's failure: reported, redacted, as `adapter_failed`. */
export const adapterFailed = (provider: string, redact: Reader['redact'], error: unknown, doing: string): IdstitchError => {
  const message = messageOf(error)
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

/** What the provider's answer to `flight`'s attempt means, by its adapter: delivered, refused for good, worth retrying, or refused in part. */
export const answered = (reader: Reader, response: ProviderResponse, flight: Flight): Outcome => {
  const { provider } = reader
  const { attempts } = flight
  if (response.status >= 300 && response.status < 400) return { final: true, delivery: { status: 'failed', attempts, httpStatus: response.status, error: redirected(provider.name, response, flight.request?.url) } }
  const outcome = provider.parse(response, flight.step, flight.request as ProviderRequest)
  if (outcome.ok) return { final: true, delivery: { status: 'delivered', attempts, httpStatus: response.status, data: outcome.data } }
  const redact = alsoRedacting(reader.redact, flight.request)
  const error = new HttpError(provider.name, response.status, providerWords(redact.text(outcome.message)), { code: outcome.code ?? 'http_error', body: redact.value(response.body) })
  const split = outcome.partial && splitOf(outcome.partial, { ...reader, redact }, error, response, flight)
  if (split) return split
  // An HTTP date in Retry-After is the wall clock's; the wait it gives is then measured by the lane's own clock.
  return { final: !isRetryableStatus(response.status), delivery: { status: 'failed', attempts, httpStatus: response.status, error }, retryAfterMs: parseRetryAfter(response.headers['retry-after'], Date.now()) }
}

/**
 * A batch's answer that refused some of its items only: each refused item's own failure, for good; the
 * others accepted (delivered by this answer) or to be sent again. None for an answer that names no item
 * of the batch, or every one: that fails the whole batch (with `error`).
 */
const splitOf = (partial: PartialRefusal, reader: Reader, error: HttpError, response: ProviderResponse, flight: Flight): Outcome | undefined => {
  const { status } = response
  const refused = new Map<number, Delivery>()
  const carried = flight.request?.itemIndexes
  for (const refusal of partial.refused) {
    const index = carried ? carried[refusal.index] : refusal.index
    const { message } = refusal
    if (index === undefined || !Number.isInteger(index) || index < 0 || index >= flight.jobs.length || refused.has(index)) continue
    const itsOwn = new HttpError(reader.provider.name, status, providerWords(reader.redact.text(message)), { code: error.code })
    refused.set(index, { status: 'failed', attempts: flight.attempts, httpStatus: status, error: itsOwn })
  }
  if (refused.size === 0 || refused.size === flight.jobs.length) return undefined
  const accepted = partial.others === 'accepted'
  const delivery: Delivery = accepted ? { status: 'delivered', attempts: flight.attempts, httpStatus: status, data: reader.redact.value(response.body) } : { status: 'failed', attempts: flight.attempts, httpStatus: status, error }
  return { final: accepted, delivery, split: { refused, others: partial.others } }
}

/** The provider answered and the adapter could not read it: it may have accepted the request, so it is not retried. */
export const unreadable = (reader: Reader, error: unknown, response: ProviderResponse, flight: Flight): Outcome => ({
  final: true,
  delivery: { status: 'failed', attempts: flight.attempts, httpStatus: response.status, error: adapterFailed(reader.provider.name, reader.redact, error, 'reading the answer'), maybeDelivered: true },
})

/**
 * No answer came to an attempt: the provider may have accepted it. `aborted` says whether the lane's own
 * signal ended it, and `byDeadline` whether that was the message's deadline rather than the attempt's timeout.
 */
export const unanswered = (reader: Reader, error: unknown, flight: Flight, cut: { aborted: boolean | undefined; byDeadline: boolean }): Outcome => {
  const { name } = reader.provider
  const errorName = (error as { name?: unknown } | null)?.name
  if (errorName === 'ResponseTooLargeError') {
    // The provider answered, at a length no provider documents: the request may have been accepted; sending it again would read the same.
    const failure = new IdstitchError('response_too_large', `[idstitch] ${name}: ${reader.redact.text((error as Error).message)} (maxResponseBytes)`, { provider: name })
    return { final: true, delivery: { status: 'failed', attempts: flight.attempts, error: failure, maybeDelivered: true } }
  }
  const aborted = cut.aborted ?? errorName === 'AbortError'
  if (aborted && cut.byDeadline) return { final: true, delivery: { ...expired(name, flight.deadline, flight.attempts), maybeDelivered: true } }
  const timedOut = aborted || errorName === 'TimeoutError'
  const failure = timedOut ? new TimeoutError(name, reader.timeoutMs) : new NetworkError(name, alsoRedacting(reader.redact, flight.request).error(error))
  return { final: false, delivery: { status: 'failed', attempts: flight.attempts, error: failure, ...(timedOut ? { maybeDelivered: true } : {}) } }
}
